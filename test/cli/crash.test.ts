/**
 * Crash at any instant: backup, expire (merge), gc and restore are killed with SIGKILL at named steps placed after
 * each durable write (STRATA_CRASH_AT) and at random instants. After every kill, verify --read-data passes, every
 * point committed before restores byte-identically, no half point is visible, and the next run succeeds.
 * STRATA_SOAK=1 kills at 50 random instants per command instead of a few.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, rewriteRandomBlocks, sha256File, writeRandomFile} from '../helpers/volume.js';

const randomKills = process.env['STRATA_SOAK'] === '1' ? 50 : 3;
const diskBlocks = (24 * 1024 * 1024) / blockSize;
let checks = 0;

type World = {dir: string; repo: string; disk: string; cli: ReturnType<typeof strataFor>; expected: Map<number, string>; clock: number};

async function world(): Promise<World> {
	const dir = makeTempDir('strata-crash-');
	const repo = join(dir, 'repo');
	const disk = join(dir, 'disk.img');
	const cli = strataFor(repo);
	await cli.run(['init']);
	writeRandomFile(disk, diskBlocks * blockSize);
	await cli.run(['item', 'add', 'vm', '--volume', disk]);
	return {dir, repo, disk, cli, expected: new Map(), clock: Date.parse('2026-01-01T00:00:00Z')};
}

function nowOf(w: World): string {
	return new Date(w.clock).toISOString();
}

/** A completed backup whose point expires a day later, with the disk's hash remembered. */
async function backup(w: World): Promise<void> {
	rewriteRandomBlocks(w.disk, diskBlocks, 64);
	const point = await w.cli.backup('vm', nowOf(w), '--retain-days', '1', '--type', w.expected.size % 3 === 0 ? 'full' : 'incremental');
	w.expected.set(point.id, sha256File(w.disk));
	w.clock += 60 * 60 * 1000;
}

/** Runs a command and kills it at a named step or after a delay; returns whether it was killed. */
async function killed(w: World, args: string[], how: {step?: string; delayMs?: number}): Promise<boolean> {
	const env: Record<string, string> = {STRATA_NOW: nowOf(w)};
	if (how.step) env['STRATA_CRASH_AT'] = how.step;
	const child = execa('node', [cliEntry, '--repo', w.repo, ...args], {reject: false, env});
	if (how.delayMs !== undefined) {
		await sleep(how.delayMs);
		child.kill('SIGKILL');
	}

	const result = await child;
	return result.signal === 'SIGKILL';
}

/** The checks after a kill: verify passes, every surviving point restores as captured, no point appeared. */
async function check(w: World, restoreAll: boolean): Promise<void> {
	const verify = await runStrata(['--repo', w.repo, 'verify', '--read-data']);
	expect(verify.exitCode, verify.stderr).toBe(0);
	const ids = (await w.cli.points('vm')).map(point => point.id);
	for (const id of ids) expect(w.expected.has(id), `rp${id} appeared without a completed backup`).toBe(true);
	// Points merged away by a completed expiry are no longer expected.
	for (const id of [...w.expected.keys()]) if (!ids.includes(id)) w.expected.delete(id);
	const toRestore = restoreAll ? ids : [ids[0]!, ids.at(-1)!];
	for (const id of new Set(toRestore)) {
		const target = join(w.dir, `check-${id}-${checks++}.img`);
		await w.cli.run(['restore', 'vm', String(id), '--to', target]);
		expect(sha256File(target), `rp${id}`).toBe(w.expected.get(id));
	}
}

describe('crash at any instant', () => {
	it('backup killed at each durable step and at random instants', async () => {
		const w = await world();
		await backup(w);
		for (const step of ['pack-sealed', 'packs-durable', 'point-committed']) {
			rewriteRandomBlocks(w.disk, diskBlocks, 64);
			const hash = sha256File(w.disk);
			expect(await killed(w, ['backup', 'vm', '--type', 'full'], {step}), step).toBe(true);
			const ids = (await w.cli.points('vm')).map(point => point.id);
			// Killed after the commit, the point is there and complete; before it, it is not.
			if (step === 'point-committed') w.expected.set(ids.at(-1)!, hash);
			await check(w, false);
		}

		for (let kill = 0; kill < randomKills; kill++) {
			rewriteRandomBlocks(w.disk, diskBlocks, 64);
			await killed(w, ['backup', 'vm', '--type', 'full'], {delayMs: 100 + Math.floor(Math.random() * 600)});
			const ids = (await w.cli.points('vm')).map(point => point.id);
			if (!w.expected.has(ids.at(-1)!)) w.expected.set(ids.at(-1)!, sha256File(w.disk));
			await check(w, false);
		}

		await backup(w);
		await check(w, true);
		await w.cli.run(['gc']);
		expect(readdirSync(join(w.repo, 'tmp'))).toEqual([]);
	});

	it('expire and gc killed at their durable steps and at random instants', async () => {
		const w = await world();
		for (let index = 0; index < 5; index++) await backup(w);
		w.clock += 2 * 24 * 60 * 60 * 1000;
		expect(await killed(w, ['expire'], {step: 'merge-committed'})).toBe(true);
		await check(w, true);
		for (let kill = 0; kill < randomKills; kill++) {
			await backup(w);
			await backup(w);
			w.clock += 2 * 24 * 60 * 60 * 1000;
			await killed(w, ['expire'], {delayMs: Math.floor(Math.random() * 250)});
			await check(w, false);
		}

		// Rewrite most of the disk so that expiring the older points leaves their packs mostly dead: gc repacks them.
		rewriteRandomBlocks(w.disk, diskBlocks, Math.floor(diskBlocks * 0.8));
		await backup(w);
		w.clock += 2 * 24 * 60 * 60 * 1000;
		await w.cli.run(['expire'], nowOf(w));
		for (const step of ['repack-durable', 'gc-committed']) {
			expect(await killed(w, ['gc'], {step}), step).toBe(true);
			await check(w, true);
		}

		for (let kill = 0; kill < randomKills; kill++) {
			await killed(w, ['gc'], {delayMs: Math.floor(Math.random() * 250)});
			await check(w, false);
		}

		await w.cli.run(['gc']);
		await check(w, true);
	});

	it('restore killed at random instants leaves no target, and the next restore succeeds and cleans up', async () => {
		const w = await world();
		await backup(w);
		const [id] = [...w.expected.keys()];
		const target = join(w.dir, 'restored', 'disk.img');
		for (let kill = 0; kill < randomKills; kill++) {
			const wasKilled = await killed(w, ['restore', 'vm', String(id), '--to', target], {delayMs: 150 + Math.floor(Math.random() * 250)});
			// Each round starts without a target. A killed restore leaves none, unless the kill came after its rename (while
			// the process was shutting down): a target that is there is always complete, since it appears by one rename.
			if (wasKilled && !existsSync(target)) continue;
			expect(sha256File(target)).toBe(w.expected.get(id!));
			rmSync(target);
		}

		await w.cli.run(['restore', 'vm', String(id), '--to', target, '--force']);
		expect(sha256File(target)).toBe(w.expected.get(id!));
		expect(readdirSync(join(w.dir, 'restored'))).toEqual(['disk.img']);
	});
});
