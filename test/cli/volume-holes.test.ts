/**
 * Hole skipping through the built CLI: a sparse 512 MiB disk image with a little data is backed up reading only its
 * data (readBytes in `backup --json` and `points --json`), and restores byte-identically (a SHA-256 of every byte,
 * holes read as zeros) and sparse (st_blocks).
 */
import {createHash, randomBytes} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {allocatedBytes, makeSparseFile, type Region, writeRegions} from '../helpers/holes.js';
import {makeTempDir} from '../helpers/tmp.js';

const MiB = 1024 * 1024;

type PointRow = {id: number; type: string; changedBlocks: number; readBytes: number; disks: Array<{name: string; size: number}>};

async function strata(repo: string, ...args: string[]): Promise<string> {
	const result = await runStrata(['--repo', repo, ...args]);
	expect(result.stderr, `strata ${args.join(' ')}`).toBe('');
	expect(result.exitCode, `strata ${args.join(' ')}`).toBe(0);
	return result.stdout;
}

/** SHA-256 of every byte of a file, streamed: its holes are read, as zeros. */
async function sha256Streamed(path: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(path, {highWaterMark: 4 * MiB})) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

describe('a sparse disk image through the CLI', () => {
	it('is backed up reading only its data, full and incremental, and restores byte-identically and sparse', async () => {
		// Given: a 512 MiB image holding 3 MiB of random data: at the start, across a 2 MiB batch boundary, at the end.
		const dir = makeTempDir('strata-holes-cli-');
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		const size = 512 * MiB;
		const regions: Region[] = [
			{offset: 0, data: randomBytes(MiB)},
			{offset: 256 * MiB - MiB / 2 + 4096, data: randomBytes(MiB)},
			{offset: size - MiB, data: randomBytes(MiB)},
		];
		makeSparseFile(disk, size, regions);
		const fullHash = await sha256Streamed(disk);
		await strata(repo, 'init');
		await strata(repo, 'item', 'add', 'sparse', '--volume', disk);

		// When: a full, then one more region written and an incremental.
		const full = JSON.parse(await strata(repo, 'backup', 'sparse', '--json')) as PointRow;
		writeRegions(disk, [{offset: 384 * MiB, data: randomBytes(MiB)}]);
		const incrementalHash = await sha256Streamed(disk);
		const incremental = JSON.parse(await strata(repo, 'backup', 'sparse', '--json')) as PointRow;

		// Then: each read the data it holds (3 MiB, then 4 MiB), not the 512 MiB; points --json says the same.
		expect(full.type).toBe('full');
		expect(full.readBytes).toBeGreaterThanOrEqual(3 * MiB);
		expect(full.readBytes).toBeLessThanOrEqual(3 * MiB + 3 * 128 * 1024);
		expect(incremental.type).toBe('incremental');
		expect(incremental.readBytes).toBeGreaterThanOrEqual(4 * MiB);
		expect(incremental.readBytes).toBeLessThanOrEqual(4 * MiB + 4 * 128 * 1024);
		expect(incremental.changedBlocks).toBe(MiB / (16 * 1024));
		const listed = JSON.parse(await strata(repo, 'points', 'sparse', '--json')) as PointRow[];
		expect(listed.map(point => point.readBytes)).toEqual([full.readBytes, incremental.readBytes]);

		// And: both restore to every byte of the image as it was, with about their data allocated.
		for (const [point, hash, data] of [
			[full, fullHash, 3 * MiB],
			[incremental, incrementalHash, 4 * MiB],
		] as const) {
			const target = join(dir, `restore-${point.id}.img`);
			await strata(repo, 'restore', 'sparse', String(point.id), '--to', target);
			expect(await sha256Streamed(target), `rp${point.id}`).toBe(hash);
			expect(allocatedBytes(target), `rp${point.id} allocated`).toBeLessThanOrEqual(data + 4 * 2 * 16 * 1024);
		}
	});
});
