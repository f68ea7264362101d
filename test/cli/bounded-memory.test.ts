/**
 * Bounded memory: a backup's peak resident memory does not grow with the volume. A full and an unchanged incremental
 * of 4 GiB of random data (every block unique: the most a backup keeps per block) peak at most 8 MiB above the same of
 * 256 MiB (before the block map and new objects were staged out of memory: 32 MiB and more). Peak RSS of the built CLI
 * run as the `strata` bin runs (its shebang's node flags), from /usr/bin/time's %M. The volumes are made with AES-CTR
 * of zeros (memory speed) and deleted after each size.
 */
import {spawnSync} from 'node:child_process';
import {closeSync, openSync, rmSync, writeSync} from 'node:fs';
import {createCipheriv} from 'node:crypto';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {cliEntry} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/tmp.js';

const mib = 1024 * 1024;
/** The slack the goal allows between a small and a large backup. */
const allowedGrowthMiB = 8;

function writeRandom(path: string, bytes: number, seed: number): void {
	const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, seed), Buffer.alloc(16));
	const zeros = Buffer.alloc(8 * mib);
	const fd = openSync(path, 'w');
	try {
		for (let done = 0; done < bytes; done += zeros.length) writeSync(fd, cipher.update(zeros.subarray(0, Math.min(zeros.length, bytes - done))));
	} finally {
		closeSync(fd);
	}
}

/** Runs the CLI under /usr/bin/time; returns its peak RSS in MiB. */
function peakRss(repo: string, ...args: string[]): number {
	const result = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kib %M', cliEntry, '--repo', repo, ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	expect(result.status, `strata ${args.join(' ')}: ${result.stderr}`).toBe(0);
	const kib = Number(/peak-rss-kib (\d+)/.exec(result.stderr)?.[1]);
	expect(kib).toBeGreaterThan(0);
	return kib / 1024;
}

/** Peak RSS of a full and of an unchanged incremental of `sizeMiB` of random data. */
function backupPeaks(dir: string, sizeMiB: number): {full: number; incremental: number} {
	const volume = join(dir, `volume-${sizeMiB}.img`);
	const repo = join(dir, `repo-${sizeMiB}`);
	writeRandom(volume, sizeMiB * mib, sizeMiB % 251);
	try {
		peakRss(repo, 'init');
		peakRss(repo, 'item', 'add', 'vm', '--volume', volume);
		const full = peakRss(repo, 'backup', 'vm', '--type', 'full');
		const incremental = peakRss(repo, 'backup', 'vm', '--type', 'incremental');
		return {full, incremental};
	} finally {
		rmSync(volume, {force: true});
		rmSync(repo, {recursive: true, force: true});
	}
}

describe('bounded memory', () => {
	it(`a backup of 4 GiB of random data peaks at most ${allowedGrowthMiB} MiB above one of 256 MiB, full and incremental`, {timeout: 300_000}, () => {
		const dir = makeTempDir('strata-memory-');
		const small = backupPeaks(dir, 256);
		const large = backupPeaks(dir, 4096);
		const report = `peak RSS, 256 MiB: full ${small.full.toFixed(1)} MiB, incremental ${small.incremental.toFixed(1)} MiB; 4 GiB: full ${large.full.toFixed(1)} MiB, incremental ${large.incremental.toFixed(1)} MiB`;
		console.log(report);
		expect(large.full - small.full, report).toBeLessThanOrEqual(allowedGrowthMiB);
		expect(large.incremental - small.incremental, report).toBeLessThanOrEqual(allowedGrowthMiB);
		expect(Math.max(large.full, large.incremental), report).toBeLessThan(200);
	});
});
