/** Signals roll a backup back; two backups into one repository at once both succeed; a full filesystem loses nothing. */
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {thawGate} from '../helpers/hook-gate.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, readBlock, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';

async function repoWith(items: Array<[string, number]>) {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	for (const [name, megabytes] of items) {
		writeRandomFile(join(dir, `${name}.img`), megabytes * 1024 * 1024);
		await cli.run(['item', 'add', name, '--volume', join(dir, `${name}.img`)]);
	}

	return {dir, repo, cli};
}

describe('signals', () => {
	it.each(['SIGINT', 'SIGTERM'] as const)('%s during a backup rolls it back and exits non-zero', async signal => {
		const {repo, cli} = await repoWith([['vm', 160]]);
		// The packs there before it (the state record item add wrote): the backup must leave no other.
		const packsBefore = readdirSync(join(repo, 'packs'), {recursive: true}).filter(name => String(name).endsWith('.pack'));
		const child = execa('node', [cliEntry, '--repo', repo, 'backup', 'vm'], {reject: false});
		// Signal once the backup is writing its first pack: midway, whatever the machine's speed.
		while (readdirSync(join(repo, 'tmp')).length === 0 && child.exitCode === null) await sleep(5);
		child.kill(signal);
		const result = await child;
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toMatch(/^strata: interrupted .*nothing was committed/);
		expect(await cli.points('vm')).toEqual([]);
		expect(readdirSync(join(repo, 'tmp'))).toEqual([]);
		const packs = readdirSync(join(repo, 'packs'), {recursive: true}).filter(name => String(name).endsWith('.pack'));
		expect(packs).toEqual(packsBefore);
		const jobs = JSON.parse(await cli.run(['jobs', '--json'])) as Array<{status: string; error: string}>;
		expect(jobs[0]).toMatchObject({status: 'failed', error: expect.stringMatching(/interrupted/)});
		await cli.run(['backup', 'vm']);
		expect(await cli.points('vm')).toHaveLength(1);
	});
});

describe('concurrent processes', () => {
	it('runs two backups of different items at once: both succeed, and both restore', async () => {
		const {dir, repo, cli} = await repoWith([['a', 48], ['b', 48]]);
		const [first, second] = await Promise.all(['a', 'b'].map(async item => runStrata(['--repo', repo, 'backup', item])));
		expect(first!.exitCode, first!.stderr).toBe(0);
		expect(second!.exitCode, second!.stderr).toBe(0);
		for (const item of ['a', 'b']) {
			const target = join(dir, `${item}-restored.img`);
			await cli.run(['restore', item, String((await cli.points(item))[0]!.id), '--to', target]);
			expect(sha256File(target)).toBe(sha256File(join(dir, `${item}.img`)));
		}

		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
	});
});

/**
 * rp1 (a full of 1536 random blocks), rp2 (3/4 of the blocks rewritten), then rp1 expired: its pack holds 1152
 * unreferenced objects and is 25% live, so gc has objects to delete and a pack to repack. Then a backup whose rp3 brings
 * 192 blocks back to rp1's contents (deduplicated against objects gc is about to delete) and 128 new ones is held in
 * its thaw, its objects chosen, for `holdMs` while a gc starts; `meanwhile` runs during the hold.
 */
async function backupBesideGc(holdMs: number, meanwhile: (repo: string) => Promise<void> = async () => undefined) {
	const {dir, repo, cli} = await repoWith([]);
	const disk = join(dir, 'vm.img');
	const original = join(dir, 'original.img');
	writeRandomFile(disk, 1536 * blockSize);
	copyFileSync(disk, original);
	const gate = thawGate(dir);
	await cli.run(['item', 'add', 'vm', '--volume', disk, '--freeze-cmd', 'true', '--thaw-cmd', gate.command]);
	gate.open();
	await cli.run(['backup', 'vm', '--retain-days', '1'], '2026-01-01T00:00:00Z');
	for (let index = 0; index < 1152; index++) writeBlock(disk, index, randomBytes(blockSize));
	await cli.run(['backup', 'vm', '--retain-days', '30'], '2026-01-01T01:00:00Z');
	const secondHash = sha256File(disk);
	const later = '2026-01-03T00:00:00Z';
	await cli.run(['expire'], later);
	for (let index = 0; index < 192; index++) writeBlock(disk, index, readBlock(original, index));
	for (let index = 1152; index < 1280; index++) writeBlock(disk, index, randomBytes(blockSize));
	gate.close();

	// When gc starts while the backup waits in its thaw with its objects chosen.
	let backupDone = false;
	const backup = runStrata(['--repo', repo, 'backup', 'vm', '--json'], {env: {STRATA_NOW: later}}).finally(() => {
		backupDone = true;
	});
	expect(await gate.reached(() => backupDone), 'the backup ended before its thaw').toBe(true);
	let gcDone = false;
	const gc = runStrata(['--repo', repo, 'gc', '--json'], {env: {STRATA_NOW: later}}).finally(() => {
		gcDone = true;
	});
	const held = sleep(holdMs);
	await meanwhile(repo);
	await held;
	expect(gcDone, 'gc did not wait for the backup').toBe(false);
	expect(JSON.parse(readFileSync(join(repo, 'locks', 'item-1'), 'utf8'))).toMatchObject({command: 'backup vm'});
	gate.open();
	const [backedUp, collected] = await Promise.all([backup, gc]);

	// Then both succeed; gc kept the 192 revived objects, deleted the other 960 and repacked rp1's pack.
	expect(backedUp.exitCode, backedUp.stderr).toBe(0);
	expect(collected.exitCode, collected.stderr).toBe(0);
	expect(JSON.parse(collected.stdout)).toMatchObject({deletedObjects: 1152 - 192, repackedPacks: 1});
	const verify = await runStrata(['--repo', repo, 'verify', '--read-data']);
	expect(verify.exitCode, verify.stderr).toBe(0);
	const third = (JSON.parse(backedUp.stdout) as {id: number}).id;
	const points = await cli.points('vm');
	expect(points.map(point => point.id)).toEqual([2, third]);
	for (const [id, expected] of [[2, secondHash], [third, sha256File(disk)]] as const) {
		const target = join(dir, `rp${id}.img`);
		await cli.run(['restore', 'vm', String(id), '--to', target]);
		expect(sha256File(target), `rp${id}`).toBe(expected);
	}

	return {gcStderr: collected.stderr};
}

describe('a backup and a gc at the same time', () => {
	it('gc waiting on a backup that revives its garbage deletes only what stayed unreferenced; every point restores', async () => {
		await backupBesideGc(1500);
	});

	it('gc waits for a backup held longer than any fixed limit, saying whom it waits for; another item backs up meanwhile', {timeout: 120_000}, async () => {
		const {gcStderr} = await backupBesideGc(12_000, async repo => {
			// A backup of another item is not held up by the waiting gc (gc holds nothing while it waits).
			writeRandomFile(join(repo, '..', 'other.img'), 1024 * 1024);
			expect((await runStrata(['--repo', repo, 'item', 'add', 'other', '--volume', join(repo, '..', 'other.img')])).exitCode).toBe(0);
			const other = await runStrata(['--repo', repo, 'backup', 'other']);
			expect(other.exitCode, other.stderr).toBe(0);
		});
		expect(gcStderr).toMatch(/^strata: waiting for process \d+ \(backup vm\) on this host since \d\d:\d\d$/m);
	});
});

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
afterAll(() => {
	for (const mount of mounts) execFileSync('umount', [mount]);
});

describe('a full repository filesystem', () => {
	it.runIf(isRoot)('fails with the repository path, keeps earlier points, and succeeds once space is freed', async () => {
		const dir = makeTempDir();
		const mount = join(dir, 'small');
		mkdirSync(mount);
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mount]);
		mounts.push(mount);
		const repo = join(mount, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		writeRandomFile(join(dir, 'small.img'), 8 * 1024 * 1024);
		writeRandomFile(join(dir, 'big.img'), 40 * 1024 * 1024);
		await cli.run(['item', 'add', 'small', '--volume', join(dir, 'small.img')]);
		await cli.run(['item', 'add', 'big', '--volume', join(dir, 'big.img')]);
		await cli.run(['backup', 'small']);
		const ballast = join(mount, 'ballast');
		writeFileSync(ballast, Buffer.alloc(20 * 1024 * 1024, 1));
		const failed = await runStrata(['--repo', repo, 'backup', 'big']);
		expect(failed.exitCode).toBe(1);
		expect(failed.stderr.trim().split('\n')).toHaveLength(1);
		expect(failed.stderr).toContain(`repository filesystem at ${repo} is full`);
		expect(failed.stderr).toMatch(/needs at most 40 MiB/);
		expect(await cli.points('big')).toEqual([]);
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
		const target = join(dir, 'small-restored.img');
		await cli.run(['restore', 'small', '1', '--to', target]);
		expect(sha256File(target)).toBe(sha256File(join(dir, 'small.img')));
		rmSync(ballast);
		await cli.run(['backup', 'big']);
		expect(await cli.points('big')).toHaveLength(1);
	});
});
