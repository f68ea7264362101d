/**
 * Crash at any instant: backup, expire (merge), gc and restore are killed with SIGKILL at each named step placed after
 * a durable write (STRATA_CRASH_AT) and at random instants while they work. After every kill: no point committed
 * before is gone (only an expiry may remove, and only points it was expiring), a new point appears only whole,
 * `verify --read-data` passes, every point restores byte-identically to its source at capture, the next run of the
 * same command succeeds, and the gc after it leaves no file in packs/ or tmp/ that the catalog does not name.
 * STRATA_SOAK=1 kills at 50 random instants per command instead of 3.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {GcResult} from '../../source/engine/index.js';
import {backup, changeDisk, checkAfterKill, checkEveryPoint, expire, gcReclaims, holdingLock, makeWorld, restoringInto, runKilled, writingPack} from '../helpers/crash.js';
import {damageObjectOfBlock} from '../helpers/repo-files.js';
import {runStrata} from '../helpers/cli.js';
import {sha256File} from '../helpers/volume.js';

const randomKills = process.env['STRATA_SOAK'] === '1' ? 50 : 3;
const day = 24 * 60 * 60 * 1000;
/**
 * 8 MiB disks (16 MiB for backups, whose writing would otherwise last only ~20 ms): each command works for tens of
 * milliseconds, so a random kill can land mid-work, and every point is cheap to restore after every kill.
 */
const diskBlocks = 512;
/** The default 60 s is enough for a few kills; a soak runs for minutes. */
const timeout = Math.max(60_000, randomKills * 5000);

/** At least a third of the random kills must have landed before the command finished, or they prove nothing. */
function expectMidWork(midWork: number): void {
	expect(midWork, `random kills that landed before the command finished, of ${randomKills}`).toBeGreaterThanOrEqual(Math.ceil(randomKills / 3));
}

function didWork(gc: GcResult): boolean {
	return gc.deletedObjects + gc.deletedPacks + gc.repackedPacks + gc.orphanFiles > 0;
}

describe('crash at any instant', () => {
	it('backup killed at each durable step and at random instants while writing packs', {timeout}, async () => {
		const w = await makeWorld(2 * diskBlocks);
		await backup(w);
		const steps = ['pack-sealed', 'staged-batch', 'packs-durable', 'records-durable', 'point-committed'];
		let midWork = 0;
		for (let kill = 0; kill < steps.length + randomKills; kill++) {
			const step = steps[kill];
			// Given a changed disk, when a full backup of it is killed:
			const hash = changeDisk(w, diskBlocks);
			const killed = await runKilled(w, ['backup', 'vm', '--type', 'full', '--retain-days', '1'], step ? {step} : {working: writingPack(w), withinMs: 20});
			w.clock += 60 * 60 * 1000;
			// Then every earlier point is there, and a new one only if the kill came after its commit (and whole).
			const {appeared} = await checkAfterKill(w, {appear: hash});
			if (step) expect(appeared, step).toHaveLength(step === 'point-committed' ? 1 : 0);
			else if (killed && appeared.length === 0) midWork++;
			// The next backup succeeds, and gc reclaims what the killed one left.
			changeDisk(w, 16);
			await backup(w, '--type', 'incremental', '--retain-days', '1');
			await gcReclaims(w);
			// Older points expire, so that restoring every point after every kill stays cheap, even 50 kills on.
			w.clock += 2 * day;
			for (const id of await expire(w)) w.expected.delete(id);
		}

		expectMidWork(midWork);
		await checkEveryPoint(w);
	});

	it('expire killed after a merge commits and at random instants while merging', {timeout}, async () => {
		const w = await makeWorld(diskBlocks);
		let midWork = 0;
		for (let kill = 0; kill <= randomKills; kill++) {
			// Given points past their retention, and a newer one (the newest never expires):
			for (const type of ['full', 'incremental', 'full']) {
				changeDisk(w, 64);
				await backup(w, '--retain-days', '1', '--type', type);
			}

			w.clock += 2 * day;
			const due = await expire(w, true);
			expect(due.size).toBeGreaterThanOrEqual(2);
			const killed = await runKilled(w, ['expire'], kill === 0 ? {step: 'merge-committed'} : {working: holdingLock(w), withinMs: 10});
			// Then only due points are gone: the oldest alone if killed after the first merge.
			const {vanished} = await checkAfterKill(w, {vanish: due});
			if (kill === 0) expect(vanished).toEqual([Math.min(...due)]);
			else if (killed && vanished.length < due.size) midWork++;
			// The next expiry succeeds and expires the rest of what was due; gc reclaims what the merges freed.
			const expired = await expire(w);
			expect(new Set([...vanished, ...expired])).toEqual(due);
			for (const id of expired) w.expected.delete(id);
			await gcReclaims(w);
		}

		expectMidWork(midWork);
		await checkEveryPoint(w);
	});

	it('gc killed at each durable step and at random instants while collecting', {timeout}, async () => {
		const w = await makeWorld(diskBlocks);
		await backup(w, '--retain-days', '1');
		const steps = ['objects-deleted', 'orphans-removed', 'repack-durable', 'repack-committed', 'gc-committed', 'packs-deleted'];
		let midWork = 0;
		for (let kill = 0; kill < steps.length + randomKills; kill++) {
			const step = steps[kill];
			// Given garbage of each kind: a killed backup's pack, and an expired point whose objects are now unreferenced
			// and whose pack is mostly dead (the newer point rewrote most of the disk), so gc deletes, removes and repacks:
			changeDisk(w, Math.floor(diskBlocks * 0.8));
			await backup(w, '--retain-days', '1');
			changeDisk(w, 16);
			await runKilled(w, ['backup', 'vm'], {step: 'pack-sealed'});
			w.clock += 2 * day;
			for (const id of await expire(w)) w.expected.delete(id);
			// When gc is killed:
			const killed = await runKilled(w, ['gc'], step ? {step} : {working: holdingLock(w), withinMs: 15});
			// Then no point is gone or new, all restore; the next gc succeeds and leaves no stray file.
			await checkAfterKill(w);
			const next = await gcReclaims(w);
			// Killed at any step before its last, gc leaves work for the next; after the last, none.
			if (step) expect(didWork(next), `${step}: ${JSON.stringify(next)}`).toBe(step !== 'packs-deleted');
			else if (killed && didWork(next)) midWork++;
		}

		expectMidWork(midWork);
		await checkEveryPoint(w);
	});

	it('restore killed after its file is complete, after its rename, and at random instants while writing', {timeout}, async () => {
		const w = await makeWorld(diskBlocks);
		await backup(w);
		changeDisk(w, 64);
		const id = await backup(w, '--type', 'incremental');
		const folder = join(w.dir, 'restored');
		const target = join(folder, 'disk.img');
		const steps = ['restore-complete', 'restore-renamed'];
		let midWork = 0;
		for (let kill = 0; kill < steps.length + randomKills; kill++) {
			const step = steps[kill];
			const killed = await runKilled(w, ['restore', 'vm', String(id), '--to', target], step ? {step} : {working: restoringInto(folder), withinMs: 40});
			// A target that is there is complete: it appears by one rename, after its file was synced.
			if (existsSync(target)) expect(sha256File(target), 'a target left by a killed restore').toBe(w.expected.get(id));
			if (step) expect(existsSync(target), step).toBe(step === 'restore-renamed');
			else if (killed && !existsSync(target)) midWork++;
			await checkAfterKill(w);
			// The next restore succeeds and removes what the killed one left in the folder; the repository has no strays.
			await w.cli.run(['restore', 'vm', String(id), '--to', target, '--force']);
			expect(sha256File(target)).toBe(w.expected.get(id));
			expect(readdirSync(folder)).toEqual(['disk.img']);
			rmSync(target);
			await gcReclaims(w);
		}

		expectMidWork(midWork);
	});

	it('a backup or repair that heals a damaged object, killed at each durable step: the object stays marked (the old state) or is healed (the new); the next run heals it', {timeout: 2 * timeout}, async () => {
		const w = await makeWorld(diskBlocks);
		await backup(w);
		for (const [round, [command, step]] of ([['backup', 'packs-durable'], ['backup', 'point-committed'], ['repair', 'repair-durable'], ['repair', 'repair-committed']] as const).entries()) {
			// Given an object of rp1 found damaged (a flipped byte in its data; another block each round):
			damageObjectOfBlock(w.repo, 1, 10 * (round + 1));
			const found = await runStrata(['--repo', w.repo, 'verify', '--read-data']);
			expect(found.exitCode, `${step}: ${found.stdout}`).toBe(1);
			// When the job that stores it again is killed:
			const hash = sha256File(w.disk);
			await runKilled(w, command === 'backup' ? ['backup', 'vm', '--type', 'full'] : ['repair'], {step});
			w.clock += 60 * 60 * 1000;
			// Then the damage is still marked and reported, or healed with the job's commit (and a backup's point whole).
			const committed = step.endsWith('committed');
			const after = await runStrata(['--repo', w.repo, 'verify', '--read-data']);
			expect(after.exitCode, `${step}: ${after.stderr}`).toBe(committed ? 0 : 1);
			if (!committed) expect(after.stderr, step).toContain('affected recovery points: vm rp1');
			const {appeared} = committed ? await checkAfterKill(w, {appear: hash}) : {appeared: []};
			expect(appeared, step).toHaveLength(step === 'point-committed' ? 1 : 0);
			// The next run heals what the killed one did not; gc leaves no stray file.
			if (!committed) await w.cli.run(['repair']);
			await checkEveryPoint(w);
			await gcReclaims(w);
		}
	});
});
