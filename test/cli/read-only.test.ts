/**
 * A repository this process cannot write: a read-only bind mount (EROFS) and a repository the user may read but not
 * write (run as `nobody`). Reading commands and restores work, nothing is recorded there, and writers refuse with one
 * line naming the cause. Both need root (to mount, or to become another user); they skip otherwise.
 */
import {execFileSync} from 'node:child_process';
import {chmodSync, chownSync, mkdirSync, readdirSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {execa} from 'execa';
import {cliEntry, runStrata, type StrataRun} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {rewriteRandomBlocks, sha256File, writeRandomFile} from '../helpers/volume.js';

const isRoot = process.getuid?.() === 0;
const rootReason = 'needs root: a read-only bind mount, or running the CLI as another user';
const mounts: string[] = [];
afterAll(() => {
	for (const mount of mounts.splice(0)) execFileSync('umount', [mount]);
});

/** A repository with one volume item `v` and two points; returns their source hashes at capture. */
async function repositoryWithPoints() {
	const dir = makeTempDir('strata-ro-');
	chmodSync(dir, 0o755);
	const repo = join(dir, 'repo');
	const disk = join(dir, 'v.img');
	const cli = strataFor(repo);
	await cli.run(['init']);
	writeRandomFile(disk, 4 * 1024 * 1024);
	await cli.run(['item', 'add', 'v', '--volume', disk]);
	await cli.run(['backup', 'v']);
	const first = sha256File(disk);
	rewriteRandomBlocks(disk, 256, 40);
	await cli.run(['backup', 'v']);
	return {dir, repo, disk, cli, hashes: [first, sha256File(disk)]};
}

/** Every file under `path` with its size and mtime: what must not change when nothing may be recorded. */
function tree(path: string): string[] {
	return readdirSync(path, {recursive: true}).map(name => {
		const stat = statSync(join(path, String(name)));
		return `${String(name)} ${stat.size} ${stat.mtimeMs}`;
	}).sort();
}

function readOnlyMount(source: string, target: string): void {
	mkdirSync(target);
	execFileSync('mount', ['--bind', source, target]);
	mounts.push(target);
	execFileSync('mount', ['-o', 'remount,ro,bind', target]);
}

function expectOneLine(run: StrataRun, pattern: RegExp): void {
	expect(run.exitCode).toBe(1);
	expect(run.stderr.trim().split('\n')).toHaveLength(1);
	expect(run.stderr).toMatch(pattern);
	expect(run.stderr).not.toMatch(/bug/i);
}

describe('a repository on a read-only mount', () => {
	it.skipIf(!isRoot)(`lists, restores and verifies; a backup fails naming the read-only filesystem (${rootReason})`, async () => {
		const {dir, repo, disk, hashes} = await repositoryWithPoints();
		const mounted = join(dir, 'mnt');
		readOnlyMount(repo, mounted);
		const before = tree(repo);
		const run = (...args: string[]) => runStrata(['--repo', mounted, ...args]);

		const points = await run('points', 'v', '--json');
		expect(points.exitCode, points.stderr).toBe(0);
		expect((JSON.parse(points.stdout) as Array<{id: number}>).map(point => point.id)).toEqual([1, 2]);
		expect(points.stderr).toMatch(/^strata: note: the repository at .* is on a read-only filesystem; reading only, nothing is recorded/);
		for (const [index, hash] of hashes.entries()) {
			const target = join(dir, `restored-${index + 1}.img`);
			const restore = await run('restore', 'v', `rp${index + 1}`, '--to', target);
			expect(restore.exitCode, restore.stderr).toBe(0);
			expect(sha256File(target)).toBe(hash);
		}

		const verify = await run('verify', '--read-data');
		expect(verify.exitCode, verify.stderr).toBe(0);
		for (const args of [['jobs'], ['item', 'list'], ['cost', 'v'], ['churn', 'v'], ['expire', '--dry-run']]) {
			const read = await run(...args);
			expect(read.exitCode, `${args.join(' ')}: ${read.stderr}`).toBe(0);
		}

		expectOneLine(await run('backup', 'v'), /^strata: cannot backup v: the repository at .*mnt is on a read-only filesystem\. Remount it read-write or copy it/);
		expectOneLine(await run('gc'), /cannot gc: the repository at .* is on a read-only filesystem/);
		expectOneLine(await run('item', 'add', 'w', '--volume', disk), /cannot run `strata item add`: the repository at .* is on a read-only filesystem/);
		expectOneLine(await run('config', 'set', 'price-per-gib-month', '1'), /read-only filesystem/);
		// Nothing was recorded: no job row, no lock, no -shm (the mount refuses writes; the catalog was read from a copy).
		expect(tree(repo)).toEqual(before);
		expect((JSON.parse((await run('jobs', '--json')).stdout) as unknown[]).length).toBe(2);
	});

	it.skipIf(!isRoot)(`serves a point an unclean stop left only in catalog.db-wal (${rootReason})`, async () => {
		const {dir, repo, disk} = await repositoryWithPoints();
		// Given a backup killed right after its commit: the point is in catalog.db-wal only.
		rewriteRandomBlocks(disk, 256, 40);
		const hash = sha256File(disk);
		const killed = await runStrata(['--repo', repo, 'backup', 'v'], {env: {STRATA_CRASH_AT: 'point-committed'}});
		expect(killed.exitCode).not.toBe(0);
		expect(statSync(join(repo, 'catalog.db-wal')).size).toBeGreaterThan(0);
		const mounted = join(dir, 'mnt');
		readOnlyMount(repo, mounted);
		// Then the mount lists it and restores it.
		const points = await runStrata(['--repo', mounted, 'points', 'v', '--json']);
		expect((JSON.parse(points.stdout) as Array<{id: number}>).map(point => point.id)).toEqual([1, 2, 3]);
		const restore = await runStrata(['--repo', mounted, 'restore', 'v', 'rp3', '--to', join(dir, 'rp3.img')]);
		expect(restore.exitCode, restore.stderr).toBe(0);
		expect(sha256File(join(dir, 'rp3.img'))).toBe(hash);
	});
});

describe('a repository the user may read but not write', () => {
	it.skipIf(!isRoot)(`lists, restores and verifies as nobody; a backup fails naming the permission (${rootReason})`, async () => {
		const {dir, repo, disk, hashes} = await repositoryWithPoints();
		execFileSync('chmod', ['-R', 'a+rX', repo]);
		chmodSync(disk, 0o644);
		const out = join(dir, 'out');
		mkdirSync(out);
		chownSync(out, 65_534, 65_534);
		const before = tree(repo);
		// The CLI as nobody, who can read the repository (a+rX) but not write it.
		const run = async (...args: string[]): Promise<StrataRun> => {
			const result = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'node', cliEntry, '--repo', repo, ...args], {reject: false, extendEnv: false, env: {PATH: process.env['PATH'] ?? '', NO_COLOR: '1', HOME: out}});
			return {exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr};
		};

		const points = await run('points', 'v', '--json');
		expect(points.exitCode, points.stderr).toBe(0);
		expect((JSON.parse(points.stdout) as Array<{id: number}>).map(point => point.id)).toEqual([1, 2]);
		expect(points.stderr).toMatch(/note: the repository at .* is not writable by this user; reading only/);
		const restore = await run('restore', 'v', 'rp2', '--to', join(out, 'rp2.img'));
		expect(restore.exitCode, restore.stderr).toBe(0);
		expect(sha256File(join(out, 'rp2.img'))).toBe(hashes[1]);
		const verify = await run('verify', '--read-data');
		expect(verify.exitCode, verify.stderr).toBe(0);
		expectOneLine(await run('backup', 'v'), /^strata: cannot backup v: the repository at .* is not writable by this user\. Run it as the user who owns the repository/);
		expectOneLine(await run('policy', 'add', 'p', '--schedule', 'daily@02:00', '--retain-daily', '1'), /is not writable by this user/);
		expect(tree(repo)).toEqual(before);
		rmSync(join(out, 'rp2.img'));
	});
});
