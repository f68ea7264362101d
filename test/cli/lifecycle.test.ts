/** Policies, expiry merges (the seed's three cases), the scheduler over simulated days, and protection states. */
import {existsSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {makeDisk, sha256File, writeBlock} from '../helpers/volume.js';

const day = (n: number, time = '02:30') => `2026-03-${String(n).padStart(2, '0')}T${time}:00Z`;

async function setup() {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	return {dir, repo, cli};
}

/** The four-block example: RP1 (D1, D2), RP2 (D3), RP3 (D2', D3'), with the given on-demand retention per point. */
async function fourBlockExample(retainDays: [number, number, number]) {
	const context = await setup();
	const disk = join(context.dir, 'disk.img');
	makeDisk(disk, 4);
	await context.cli.run(['item', 'add', 'vm1', '--volume', disk]);
	const hashes: string[] = [];
	writeBlock(disk, 1, 0x11);
	writeBlock(disk, 2, 0x22);
	await context.cli.backup('vm1', day(1), '--retain-days', String(retainDays[0]));
	hashes.push(sha256File(disk));
	writeBlock(disk, 3, 0x33);
	await context.cli.backup('vm1', day(2), '--retain-days', String(retainDays[1]));
	hashes.push(sha256File(disk));
	writeBlock(disk, 2, 0x44);
	writeBlock(disk, 3, 0x55);
	await context.cli.backup('vm1', day(3), '--retain-days', String(retainDays[2]));
	hashes.push(sha256File(disk));
	return {...context, disk, hashes};
}

async function expectRestores(context: {dir: string; cli: ReturnType<typeof strataFor>}, item: string, expected: Map<number, string>) {
	for (const [id, hash] of expected) {
		const target = join(context.dir, `check-${item}-${id}-${Math.random().toString(36).slice(2)}.img`);
		await context.cli.run(['restore', item, String(id), '--to', target]);
		expect(sha256File(target), `${item} rp${id}`).toBe(hash);
		rmSync(target);
	}
}

describe('expiry merges', () => {
	it('case 1: the initial point expires; D1 and D2 move to RP2, which becomes the full (owned 3, 2)', async () => {
		const context = await fourBlockExample([2, 30, 30]);
		const dryRun = JSON.parse(await context.cli.run(['expire', '--dry-run', '--json'], day(4))) as {expired: Array<{id: number; freesBytes: number}>};
		expect(dryRun.expired.map(point => [point.id, point.freesBytes])).toEqual([[1, 0]]);
		await context.cli.run(['expire'], day(4));
		const rows = await context.cli.points('vm1');
		expect(rows.map(row => [row.id, row.type, row.ownedBlocks])).toEqual([[2, 'full', 3], [3, 'incremental', 2]]);
		await expectRestores(context, 'vm1', new Map([[2, context.hashes[1]!], [3, context.hashes[2]!]]));
	});

	it('case 2: an in-between point expires first; D3 is superseded and deleted (owned 2, 2)', async () => {
		const context = await fourBlockExample([30, 2, 30]);
		const dryRun = JSON.parse(await context.cli.run(['expire', '--dry-run', '--json'], day(5))) as {expired: Array<{id: number; freesBytes: number}>; freedBytes: number};
		expect(dryRun.expired.map(point => point.id)).toEqual([2]);
		expect(dryRun.freedBytes).toBeGreaterThan(0);
		const result = JSON.parse(await context.cli.run(['expire', '--json'], day(5))) as {freedBytes: number};
		expect(result.freedBytes).toBe(dryRun.freedBytes);
		const rows = await context.cli.points('vm1');
		expect(rows.map(row => [row.id, row.type, row.ownedBlocks])).toEqual([[1, 'full', 2], [3, 'incremental', 2]]);
		await expectRestores(context, 'vm1', new Map([[1, context.hashes[0]!], [3, context.hashes[2]!]]));
		const gc = JSON.parse(await context.cli.run(['gc', '--json'])) as {deletedObjects: number};
		expect(gc.deletedObjects).toBe(1);
		expect((await runStrata(['--repo', context.repo, 'verify', '--read-data'])).exitCode).toBe(0);
	});

	it('case 3: an on-demand point taken on day 4 with 10 days retention merges into the next point on day 14', async () => {
		const {dir, cli} = await setup();
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 8);
		await cli.run(['policy', 'add', 'daily', '--schedule', 'daily@02:00', '--retain-daily', '30']);
		await cli.run(['item', 'add', 'vm', '--volume', disk, '--policy', 'daily']);
		const hashes = new Map<number, string>();
		let onDemand = 0;
		for (let n = 1; n <= 14; n++) {
			writeBlock(disk, n % 8, n);
			const report = JSON.parse(await cli.run(['run', '--once', '--json'], day(n))) as {backups: Array<{rpId: number}>};
			hashes.set(report.backups[0]!.rpId, sha256File(disk));
			if (n === 4) {
				writeBlock(disk, 7, 0xee);
				onDemand = (await cli.backup('vm', day(4, '12:00'), '--retain-days', '10')).id;
				hashes.set(onDemand, sha256File(disk));
			}
		}

		expect((await cli.points('vm')).map(row => row.id)).toContain(onDemand);
		const expired = JSON.parse(await cli.run(['expire', '--json'], day(14, '12:30'))) as {expired: Array<{id: number}>};
		expect(expired.expired.map(point => point.id)).toEqual([onDemand]);
		hashes.delete(onDemand);
		const rows = await cli.points('vm');
		expect(rows.map(row => row.id)).toEqual([...hashes.keys()]);
		// The next point (day 5) took over the on-demand point's block 7 (day 5 wrote block 5).
		expect(rows.find(row => row.id === onDemand + 1)?.ownedBlocks).toBe(2);
		await expectRestores({dir, cli}, 'vm', hashes);
	});
});

describe('scheduler over simulated days', () => {
	it('keeps on-demand plus days 4, 5, 6 under --retain-daily 3, and two after retention drops to 1', async () => {
		const {dir, cli} = await setup();
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 4);
		await cli.run(['policy', 'add', 'daily', '--schedule', 'daily@02:00', '--retain-daily', '3']);
		await cli.run(['item', 'add', 'vm', '--volume', disk, '--policy', 'daily']);
		const hashes = new Map<number, string>();
		const scheduled: number[] = [];
		let onDemand = 0;
		for (let n = 1; n <= 6; n++) {
			writeBlock(disk, n % 4, 0x10 + n);
			const report = JSON.parse(await cli.run(['run', '--once', '--json'], day(n))) as {backups: Array<{rpId: number}>};
			expect(report.backups).toHaveLength(1);
			scheduled.push(report.backups[0]!.rpId);
			hashes.set(report.backups[0]!.rpId, sha256File(disk));
			if (n === 2) {
				writeBlock(disk, 0, 0x99);
				onDemand = (await cli.backup('vm', day(2, '14:00'), '--retain-days', '10')).id;
				hashes.set(onDemand, sha256File(disk));
			}
		}

		// A second run in the same slot does nothing: no backlog, no duplicate.
		const again = JSON.parse(await cli.run(['run', '--once', '--json'], day(6, '03:00'))) as {backups: unknown[]};
		expect(again.backups).toEqual([]);
		const rows = await cli.points('vm');
		expect(rows.map(row => row.id)).toEqual([onDemand, scheduled[3], scheduled[4], scheduled[5]]);
		await expectRestores({dir, cli}, 'vm', new Map(rows.map(row => [row.id, hashes.get(row.id)!])));

		await cli.run(['policy', 'set', 'daily', '--retain-daily', '1']);
		await cli.run(['expire'], day(6, '03:00'));
		const after = await cli.points('vm');
		expect(after.map(row => row.id)).toEqual([onDemand, scheduled[5]]);
		await expectRestores({dir, cli}, 'vm', new Map(after.map(row => [row.id, hashes.get(row.id)!])));
		const jobs = JSON.parse(await cli.run(['jobs', '--json'])) as Array<{kind: string; trigger: string; status: string}>;
		// Six scheduled backups (each run --once also records its expire and gc jobs, counted apart).
		expect(jobs.filter(job => job.kind === 'backup' && job.trigger === 'scheduled' && job.status === 'succeeded')).toHaveLength(6);
	});
});

describe('protection states', () => {
	it('deletes with undelete for 14 days, retains without expiry, and keeps the last point of a vanished source', async () => {
		const {dir, cli} = await setup();
		await cli.run(['policy', 'add', 'daily', '--schedule', 'daily@02:00', '--retain-daily', '2']);
		const disks = ['deleted', 'retained', 'vanished'].map(name => join(dir, `${name}.img`));
		for (const [index, disk] of disks.entries()) {
			makeDisk(disk, 2);
			writeBlock(disk, 0, 0x20 + index);
			await cli.run(['item', 'add', ['deleted', 'retained', 'vanished'][index]!, '--volume', disk, '--policy', 'daily']);
		}

		for (let n = 1; n <= 3; n++) {
			for (const disk of disks) writeBlock(disk, 1, n);
			await cli.run(['run', '--once'], day(n));
		}

		const vanishedHash = sha256File(disks[2]!);
		await cli.run(['protect', 'stop', 'deleted', '--delete-data'], day(3, '12:00'));
		await cli.run(['protect', 'stop', 'retained', '--retain-data'], day(3, '12:00'));
		rmSync(disks[2]!);
		const retainedBefore = (await cli.points('retained')).map(row => row.id);
		const deletedBefore = (await cli.points('deleted')).map(row => row.id);
		for (let n = 4; n <= 9; n++) {
			const result = await runStrata(['--repo', join(dir, 'repo'), 'run', '--once', '--json'], {env: {STRATA_NOW: day(n)}});
			expect(result.exitCode).toBe(1);
			const report = JSON.parse(result.stdout) as {backups: Array<{item: string; error?: string}>};
			expect(report.backups).toEqual([{item: 'vanished', slot: expect.any(String), error: expect.stringContaining(disks[2]!)}]);
		}

		// Day 9 is six days after the delete: undelete works and the points are back, stopped with data retained.
		await cli.run(['undelete', 'deleted'], day(9, '12:00'));
		expect((await cli.points('deleted')).map(row => row.id)).toEqual(deletedBefore);
		const items = JSON.parse(await cli.run(['item', 'list', '--json'])) as Array<{name: string; state: string}>;
		expect(items.map(item => [item.name, item.state])).toEqual([['deleted', 'stopped-retained'], ['retained', 'stopped-retained'], ['vanished', 'active']]);
		// The vanished source's points expired by retention, but its last one stays and restores.
		const vanished = await cli.points('vanished');
		expect(vanished).toHaveLength(1);
		await expectRestores({dir, cli}, 'vanished', new Map([[vanished[0]!.id, vanishedHash]]));

		// A second delete is purged 14 days later, not before.
		await cli.run(['protect', 'stop', 'deleted', '--delete-data'], day(10));
		// (run --once exits 1 here because the vanished item's backup fails; that is checked above.)
		const purgeJobs = async () => (JSON.parse(await cli.run(['jobs', '--json'])) as Array<{kind: string; trigger: string; status: string}>).filter(job => job.kind === 'purge');
		await runStrata(['--repo', join(dir, 'repo'), 'run', '--once'], {env: {STRATA_NOW: day(23)}});
		expect((await runStrata(['--repo', join(dir, 'repo'), 'points', 'deleted'])).exitCode).toBe(0);
		// A run with nothing to purge records no purge job; the run that purges records one.
		expect(await purgeJobs()).toEqual([]);
		await runStrata(['--repo', join(dir, 'repo'), 'run', '--once'], {env: {STRATA_NOW: day(24, '03:00')}});
		const gone = await runStrata(['--repo', join(dir, 'repo'), 'points', 'deleted']);
		expect(gone.exitCode).toBe(1);
		expect(gone.stderr).toMatch(/no item named "deleted"/);
		expect((await purgeJobs()).map(job => [job.trigger, job.status])).toEqual([['scheduled', 'succeeded']]);
		// Three weeks on, the retained item still has every point.
		expect((await cli.points('retained')).map(row => row.id)).toEqual(retainedBefore);
		expect(existsSync(join(dir, 'repo'))).toBe(true);
		expect((await runStrata(['--repo', join(dir, 'repo'), 'verify', '--read-data'])).exitCode).toBe(0);
		// Resuming says what it did: an active item is left alone and the message says so.
		expect(await cli.run(['protect', 'resume', 'vanished'], day(24, '04:00'))).toMatch(/^vanished is already protected; nothing to resume/);
		expect(await cli.run(['protect', 'resume', 'retained'], day(24, '04:00'))).toMatch(/^Resumed retained/);
	});

	it('refuses bad policy input with one clear line and changes nothing', async () => {
		const {cli, repo} = await setup();
		for (const args of [
			['policy', 'add', 'p', '--schedule', 'sometimes', '--retain-daily', '3'],
			['policy', 'add', 'p', '--schedule', 'daily@25:00', '--retain-daily', '3'],
			['policy', 'add', 'p', '--schedule', 'daily@02:00', '--retain-daily', '-1'],
			['policy', 'add', 'p', '--schedule', 'daily@02:00'],
			['policy', 'add', 'p', '--schedule', 'daily@02:00', '--retain-daily', '3', '--tz', 'Mars/Olympus'],
			['policy', 'remove', 'nope'],
		]) {
			const result = await runStrata(['--repo', repo, ...args]);
			expect(result.exitCode, args.join(' ')).toBeGreaterThan(0);
			expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
		}

		expect(JSON.parse(await cli.run(['policy', 'list', '--json']))).toEqual([]);
		await cli.run(['policy', 'add', 'p', '--schedule', '30 2 * * 1-5', '--retain-daily', '3']);
		const disk = join(repo, '..', 'd.img');
		makeDisk(disk, 1);
		await cli.run(['item', 'add', 'x', '--volume', disk, '--policy', 'p']);
		const inUse = await runStrata(['--repo', repo, 'policy', 'remove', 'p']);
		expect(inUse.exitCode).toBe(1);
		expect(inUse.stderr).toMatch(/used by 1 item/);
	});
});
