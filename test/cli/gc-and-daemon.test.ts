/** Garbage collection (orphans, unreferenced objects, repacking) and the scheduler daemon's clean shutdown. */
import {readdirSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, makeDisk, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';
import {thawGate} from '../helpers/hook-gate.js';
import {packBytes, packFiles} from '../helpers/repo-files.js';

describe('gc', () => {
	it('removes orphan packs, drops unreferenced objects and repacks a pack whose live share fell below half', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		const disk = join(dir, 'disk.img');
		writeRandomFile(disk, 4 * 1024 * 1024);
		await cli.run(['item', 'add', 'vm', '--volume', disk]);
		await cli.backup('vm', '2026-01-01T00:00:00Z', '--retain-days', '1');
		// Rewrite three quarters of the blocks: after the first point expires, most of its pack is garbage.
		for (let index = 0; index < 192; index++) writeBlock(disk, index, Buffer.alloc(blockSize, index + 1));
		await cli.backup('vm', '2026-01-01T01:00:00Z', '--retain-days', '30');
		const expected = sha256File(disk);
		mkdirSync(join(repo, 'packs', 'ff'), {recursive: true});
		writeFileSync(join(repo, 'packs', 'ff', `${'f'.repeat(32)}.pack`), 'left by a killed backup');
		// As a killed backup leaves it: pending under a process that is gone (a pack nothing accounts for stops gc).
		const catalog = new Database(join(repo, 'catalog.db'));
		catalog.prepare("INSERT INTO pending_packs VALUES (?, 999999, ?, '2026-01-01T01:00:00Z')").run('f'.repeat(32), hostname());
		catalog.close();
		writeFileSync(join(repo, 'tmp', `${'e'.repeat(32)}.pack.999999.partial`), 'partial');
		await cli.run(['expire'], '2026-01-03T00:00:00Z');
		const before = packBytes(repo);
		const gc = JSON.parse(await cli.run(['gc', '--json'])) as {deletedObjects: number; repackedPacks: number; orphanFiles: number};
		expect(gc.deletedObjects).toBe(192);
		expect(gc.orphanFiles).toBe(2);
		expect(gc.repackedPacks).toBe(1);
		expect(packBytes(repo)).toBeLessThan(before - 192 * blockSize * 0.9);
		expect(readdirSync(join(repo, 'tmp'))).toEqual([]);
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
		const target = join(dir, 'restored.img');
		await cli.run(['restore', 'vm', '2', '--to', target]);
		expect(sha256File(target)).toBe(expected);
	});
});

describe('strata run (daemon)', () => {
	it('runs what is due, then exits 0 on SIGTERM', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 4);
		writeBlock(disk, 0, 0x01);
		await cli.run(['policy', 'add', 'hourly', '--schedule', 'hourly', '--retain-daily', '1']);
		await cli.run(['item', 'add', 'vm', '--volume', disk, '--policy', 'hourly']);
		// Its log lines carry the time from Strata's clock (here the override), like every other time it records.
		const daemon = execa('node', [cliEntry, '--repo', repo, 'run'], {reject: false, env: {STRATA_NOW: '2026-06-01T10:30:00Z'}});
		for (let waited = 0; waited < 20_000; waited += 200) {
			const points = (await cli.points('vm')).length;
			if (points > 0) break;
			await sleep(200);
		}

		daemon.kill('SIGTERM');
		const result = await daemon;
		expect(result.exitCode, result.stderr).toBe(0);
		expect(String(result.stdout)).toMatch(/^2026-06-01T10:30:00\.000Z backup vm: rp1$/m);
		const points = await cli.points('vm');
		expect(points).toHaveLength(1);
		expect(points[0]!.trigger).toBe('scheduled');
	});
});

describe('strata run (daemon) signalled while its backup runs', () => {
	it.each(['SIGTERM', 'SIGINT'] as const)('%s: the backup rolls back, the daemon exits 0, verify passes and run --once then backs up', async signal => {
		// Given an hourly item that is due at 10:30 and a daemon whose backup is held in its thaw, its data read.
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		const at = '2026-03-01T10:30:00Z';
		await cli.run(['init'], at);
		const disk = join(dir, 'disk.img');
		writeRandomFile(disk, 8 * 1024 * 1024);
		const gate = thawGate(dir);
		await cli.run(['policy', 'add', 'hourly', '--schedule', 'hourly', '--retain-daily', '1'], at);
		await cli.run(['item', 'add', 'vm', '--volume', disk, '--policy', 'hourly', '--freeze-cmd', 'true', '--thaw-cmd', gate.command], at);
		// The packs there before (the state records policy add and item add wrote): the backup must leave no other.
		const packsBefore = packFiles(repo);
		const daemon = execa('node', [cliEntry, '--repo', repo, 'run'], {reject: false, env: {STRATA_NOW: at}});
		expect(await gate.reached(() => daemon.exitCode !== null), 'the daemon ended before its backup reached the thaw').toBe(true);
		const running = JSON.parse(await cli.run(['jobs', '--json'])) as Array<{kind: string; status: string; trigger: string}>;
		expect(running[0]).toMatchObject({kind: 'backup', status: 'running', trigger: 'scheduled'});

		// When it is signalled mid-backup, it waits for the job rather than dying; the job then ends.
		daemon.kill(signal);
		await sleep(500);
		expect(daemon.exitCode, 'the daemon exited with its backup still running').toBeNull();
		gate.open();
		const result = await daemon;

		// Then it exits 0, with nothing committed and nothing left over.
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toContain(`backup vm failed: interrupted (interrupted by ${signal}); nothing was committed.`);
		expect(await cli.points('vm')).toEqual([]);
		const jobs = JSON.parse(await cli.run(['jobs', '--json'])) as Array<{status: string; error: string}>;
		expect(jobs[0]).toMatchObject({status: 'failed', error: expect.stringMatching(/interrupted/)});
		expect(readdirSync(join(repo, 'tmp'))).toEqual([]);
		expect(packFiles(repo)).toEqual(packsBefore);
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
		// The slot is still due: the next run --once takes the backup, and it restores byte for byte.
		expect(await cli.run(['run', '--once'], at)).toMatch(/^backup vm: rp1$/m);
		const points = await cli.points('vm');
		expect(points.map(point => point.trigger)).toEqual(['scheduled']);
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
		const target = join(dir, 'restored.img');
		await cli.run(['restore', 'vm', String(points[0]!.id), '--to', target]);
		expect(sha256File(target)).toBe(sha256File(disk));
	});
});
