/**
 * Writers side by side: long backups of two items at once, a console-started backup that cannot start, a foreign
 * host's lock and `strata unlock`, a restore racing cron's expire + gc, and gc and expire as jobs.
 */
import {randomBytes} from 'node:crypto';
import {copyFileSync, readdirSync, utimesSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {launchDetached} from '../../source/tui/data/launch.js';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {thawGate} from '../helpers/hook-gate.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';

type JobRow = {id: number; item?: string; kind: string; status: string; error?: string};

async function repoWith(items: Array<[string, number, string[]?]>) {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	for (const [name, megabytes, flags] of items) {
		writeRandomFile(join(dir, `${name}.img`), megabytes * 1024 * 1024);
		await cli.run(['item', 'add', name, '--volume', join(dir, `${name}.img`), ...(flags ?? [])]);
	}

	return {dir, repo, cli};
}

async function jobs(repo: string): Promise<JobRow[]> {
	return JSON.parse((await runStrata(['--repo', repo, 'jobs', '--json'])).stdout) as JobRow[];
}

/** A lock file as another host's Strata would leave it, untouched for an hour (its heartbeat stopped). */
function plantForeignLock(path: string): void {
	writeFileSync(path, JSON.stringify({pid: 4242, host: 'elsewhere', command: 'backup vm1', since: '2026-01-01T10:02:00.000Z'}));
	const hourAgo = new Date(Date.now() - 3_600_000);
	utimesSync(path, hourAgo, hourAgo);
}

describe('long backups of different items', () => {
	it('two 30-second backups started 1 s apart both succeed', {timeout: 120_000}, async () => {
		// Given two items whose freeze command takes 30 s (longer than any fixed lock wait).
		const {repo, cli} = await repoWith([['a', 1, ['--freeze-cmd', 'sleep 30', '--thaw-cmd', 'true']], ['b', 1, ['--freeze-cmd', 'sleep 30', '--thaw-cmd', 'true']]]);
		// When they start 1 s apart.
		const first = runStrata(['--repo', repo, 'backup', 'a']);
		await sleep(1000);
		const second = runStrata(['--repo', repo, 'backup', 'b']);
		const [a, b] = await Promise.all([first, second]);
		// Then both succeed, neither waited for the other, and each has its point.
		expect(a.exitCode, a.stderr).toBe(0);
		expect(b.exitCode, b.stderr).toBe(0);
		expect(b.stderr).not.toMatch(/waiting/);
		expect(await cli.points('a')).toHaveLength(1);
		expect(await cli.points('b')).toHaveLength(1);
	});
});

describe('a lock another host left', () => {
	it('is named with `strata unlock` in one line; unlock --yes frees it; unlock refuses a live holder here', {timeout: 60_000}, async () => {
		const {dir, repo, cli} = await repoWith([['vm', 1]]);
		// The single lock file older Strata used, as the issue planted it.
		plantForeignLock(join(repo, 'lock'));

		const refused = await runStrata(['--repo', repo, 'backup', 'vm']);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr.trim().split('\n')).toHaveLength(1);
		expect(refused.stderr).toMatch(/^strata: .*process 4242 \(backup vm1\) on host elsewhere.*`strata unlock`/);

		// Not on a terminal, unlock wants --yes; with it the lock goes and the backup runs.
		const unconfirmed = await runStrata(['--repo', repo, 'unlock']);
		expect(unconfirmed.exitCode).not.toBe(0);
		expect(unconfirmed.stderr).toMatch(/--yes/);
		const unlocked = await runStrata(['--repo', repo, 'unlock', '--yes']);
		expect(unlocked.exitCode, unlocked.stderr).toBe(0);
		expect(unlocked.stderr).toMatch(/process 4242 \(backup vm1\) on host elsewhere/);
		await cli.run(['backup', 'vm']);

		// A backup held in its thaw holds the item's lock: unlock refuses to touch a live process's lock.
		const gate = thawGate(dir);
		await cli.run(['item', 'add', 'held', '--volume', join(dir, 'vm.img'), '--freeze-cmd', 'true', '--thaw-cmd', gate.command]);
		let done = false;
		const held = runStrata(['--repo', repo, 'backup', 'held']).finally(() => {
			done = true;
		});
		expect(await gate.reached(() => done)).toBe(true);
		const live = await runStrata(['--repo', repo, 'unlock', '--yes']);
		gate.open();
		expect(live.exitCode).not.toBe(0);
		expect(live.stderr).toMatch(/^strata: the lock is held by process \d+ \(backup held\) on this host, which is alive/m);
		expect((await held).exitCode).toBe(0);
	});

	it('a backup started from the console that cannot take the lock leaves a failed job row saying why', {timeout: 60_000}, async () => {
		const {repo} = await repoWith([['vm', 1]]);
		plantForeignLock(join(repo, 'lock'));

		// The console's own launch path: a detached `strata backup` with no terminal and nobody reading its output.
		launchDetached(repo, ['backup', 'vm', '--type', 'incremental']);
		let failed: JobRow | undefined;
		for (const deadline = Date.now() + 30_000; Date.now() < deadline && !failed; ) {
			await sleep(200);
			failed = (await jobs(repo)).find(job => job.kind === 'backup' && job.status === 'failed');
		}

		expect(failed, 'no failed job row').toBeDefined();
		expect(failed).toMatchObject({item: 'vm', error: expect.stringMatching(/process 4242 \(backup vm1\) on host elsewhere.*strata unlock/)});

		// So does one refused at its start (its item removed since the console listed it), which nobody else would see.
		launchDetached(repo, ['backup', 'gone']);
		let refused: JobRow | undefined;
		for (const deadline = Date.now() + 30_000; Date.now() < deadline && !refused; ) {
			await sleep(200);
			refused = (await jobs(repo)).find(job => job.item === 'gone');
		}

		expect(refused).toMatchObject({kind: 'backup', status: 'failed', error: expect.stringMatching(/"gone"/)});
	});
});

describe('gc and expire', () => {
	it('appear in `strata jobs --json`, from the command line and from run --once', {timeout: 60_000}, async () => {
		const {repo, cli} = await repoWith([['vm', 1]]);
		await cli.run(['backup', 'vm']);
		await cli.run(['expire']);
		await cli.run(['gc']);
		await cli.run(['run', '--once']);
		const rows = await jobs(repo);
		expect(rows.filter(job => job.kind === 'expire').map(job => job.status)).toEqual(['succeeded', 'succeeded']);
		expect(rows.filter(job => job.kind === 'gc').map(job => job.status)).toEqual(['succeeded', 'succeeded']);
	});
});

describe('a restore racing cron (run --once: expire + gc)', () => {
	it('restores byte-identically: the point it reads is kept until the next run', {timeout: 120_000}, async () => {
		// Given rp1 (retained 1 day) and rp2 rewriting 7/8 of the disk: once rp1 expires, gc deletes most of its objects.
		const {dir, repo, cli} = await repoWith([]);
		const disk = join(dir, 'vm.img');
		const blocks = 6144;
		writeRandomFile(disk, blocks * blockSize);
		copyFileSync(disk, join(dir, 'rp1.img'));
		await cli.run(['item', 'add', 'vm', '--volume', disk]);
		await cli.run(['backup', 'vm', '--retain-days', '1'], '2026-01-01T00:00:00Z');
		for (let index = 0; index < (blocks * 7) / 8; index++) writeBlock(disk, index, randomBytes(blockSize));
		await cli.run(['backup', 'vm', '--retain-days', '30'], '2026-01-01T01:00:00Z');
		const later = '2026-01-03T00:00:00Z';

		// When cron's run --once runs while the restore of rp1 has resolved its blocks and is writing (held stopped there).
		const target = join(dir, 'out', 'vm.img');
		const restore = execa('node', [cliEntry, '--repo', repo, 'restore', 'vm', '1', '--to', target], {reject: false});
		const writing = () => readdirSync(join(dir, 'out'), {withFileTypes: true}).some(entry => entry.name.includes('.strata-restore-'));
		for (;;) {
			try {
				if (writing()) break;
			} catch {
				// The folder is not there yet.
			}

			if (restore.exitCode !== null) throw new Error(`the restore ended before it was caught writing: ${(await restore).stderr}`);
			await sleep(1);
		}

		restore.kill('SIGSTOP');
		const cron = await runStrata(['--repo', repo, 'run', '--once'], {env: {STRATA_NOW: later}});
		restore.kill('SIGCONT');
		const restored = await restore;

		// Then the restore succeeds with rp1's bytes; cron said it kept rp1, and the next run expires it.
		expect(restored.exitCode, restored.stderr).toBe(0);
		expect(sha256File(target)).toBe(sha256File(join(dir, 'rp1.img')));
		expect(cron.exitCode, cron.stderr).toBe(0);
		expect(cron.stdout).toMatch(/^kept vm rp1 \(being restored by process \d+ \(restore vm rp1\) on this host\)/m);
		expect(await cli.run(['run', '--once'], later)).toMatch(/^expired vm rp1$/m);
		expect((await cli.points('vm')).map(point => point.id)).toEqual([2]);
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
	});
});
