/**
 * The crash harness behind test/cli/crash.test.ts: a repository with one volume item whose committed points are
 * remembered with the source's hash at capture, commands killed with SIGKILL at a named step or at a random instant
 * once they are working, and the checks every kill must pass.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {basename, join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {afterAll, expect} from 'vitest';
import {CodecPool, type GcResult, listPoints, Repository, runRestore} from '../../source/engine/index.js';
import {cliEntry, runStrata} from './cli.js';
import {packFiles} from './repo-files.js';
import {strataFor} from './strata.js';
import {makeTempDir} from './tmp.js';
import {blockSize, rewriteRandomBlocks, sha256File, writeRandomFile} from './volume.js';

let pool: CodecPool | undefined;
afterAll(async () => pool?.close());

export type World = {
	dir: string;
	repo: string;
	disk: string;
	diskBlocks: number;
	cli: ReturnType<typeof strataFor>;
	/** Every committed point that must still exist, with the SHA-256 of the source when it was captured. */
	expected: Map<number, string>;
	clock: number;
	restores: number;
};

/** A repository with one volume item `vm` on a random disk of `diskBlocks` blocks, and no point yet. */
export async function makeWorld(diskBlocks: number): Promise<World> {
	const dir = makeTempDir('strata-crash-');
	const repo = join(dir, 'repo');
	const disk = join(dir, 'disk.img');
	const cli = strataFor(repo);
	await cli.run(['init']);
	writeRandomFile(disk, diskBlocks * blockSize);
	await cli.run(['item', 'add', 'vm', '--volume', disk]);
	return {dir, repo, disk, diskBlocks, cli, expected: new Map(), clock: Date.parse('2026-01-01T00:00:00Z'), restores: 0};
}

/** The simulated time (STRATA_NOW) of the world's next command. */
export function nowOf(w: World): string {
	return new Date(w.clock).toISOString();
}

/** Rewrites `blocks` random blocks of the disk; returns its hash, what a backup taken now must restore to. */
export function changeDisk(w: World, blocks: number): string {
	rewriteRandomBlocks(w.disk, w.diskBlocks, blocks);
	return sha256File(w.disk);
}

/** A completed backup of the disk as it is, remembered as expected; an hour passes. */
export async function backup(w: World, ...flags: string[]): Promise<number> {
	const point = await w.cli.backup('vm', nowOf(w), ...flags);
	w.expected.set(point.id, sha256File(w.disk));
	w.clock += 60 * 60 * 1000;
	return point.id;
}

/** When to kill: at a named step (STRATA_CRASH_AT), or at a random instant below `withinMs` once `working(pid)` holds. */
export type Kill = {step: string} | {working: (pid: number) => boolean; withinMs: number};

/**
 * Runs `strata ARGS` and kills it with SIGKILL as `kill` says; returns whether it was killed. A named step must be
 * reached. A random kill waits until the command is working, so it cannot land during start-up; a command that
 * finishes first is not killed.
 */
export async function runKilled(w: World, args: string[], kill: Kill): Promise<boolean> {
	const env: Record<string, string> = {STRATA_NOW: nowOf(w), ...('step' in kill ? {STRATA_CRASH_AT: kill.step} : {})};
	const child = execa('node', [cliEntry, '--repo', w.repo, ...args], {reject: false, env});
	if ('working' in kill) {
		while (child.exitCode === null && !kill.working(child.pid!)) await sleep(1);
		if (child.exitCode === null) {
			await sleep(Math.random() * kill.withinMs);
			child.kill('SIGKILL');
		}
	}

	const result = await child;
	if ('step' in kill) expect(result.signal, `strata ${args.join(' ')} did not reach ${kill.step}: ${result.stderr}`).toBe('SIGKILL');
	return result.signal === 'SIGKILL';
}

/** For runKilled: the command (pid) is writing a pack into tmp/. */
export function writingPack(w: World): (pid: number) => boolean {
	return pid => readdirSync(join(w.repo, 'tmp')).some(name => name.endsWith(`.${pid}.partial`));
}

/** For runKilled: the command holds one of the repository's locks (locks/), so it is past start-up and at its work. */
export function holdingLock(w: World): (pid: number) => boolean {
	return pid => {
		const folder = join(w.repo, 'locks');
		return existsSync(folder) && readdirSync(folder).some(name => {
			try {
				return (JSON.parse(readFileSync(join(folder, name), 'utf8')) as {pid: number}).pid === pid;
			} catch {
				return false; // Being written or removed.
			}
		});
	};
}

/** For runKilled: a restore is writing its temporary file in `folder`. */
export function restoringInto(folder: string): (pid: number) => boolean {
	return pid => existsSync(folder) && readdirSync(folder).some(name => name.endsWith(`.strata-restore-${pid}`));
}

/** What a kill may change: points it may remove (an expiry's due points), and the hash of a point it may add. */
export type Allowed = {vanish?: ReadonlySet<number>; appear?: string};

/**
 * The checks after every kill: no committed point is gone unless allowed, at most one point appeared and only when
 * allowed (it must then restore as the source was at capture); verify --read-data passes, and every point restores
 * byte-identically. Returns the points that vanished and appeared.
 */
export async function checkAfterKill(w: World, allowed: Allowed = {}): Promise<{vanished: number[]; appeared: number[]}> {
	const ids = listedPoints(w);
	const vanished = [...w.expected.keys()].filter(id => !ids.includes(id));
	const appeared = ids.filter(id => !w.expected.has(id));
	for (const id of vanished) expect(allowed.vanish?.has(id), `rp${id} was committed before the kill and is gone`).toBe(true);
	expect(appeared.length, `points that appeared without a completed backup: ${appeared.join(', ')}`).toBeLessThanOrEqual(allowed.appear === undefined ? 0 : 1);
	for (const id of vanished) w.expected.delete(id);
	for (const id of appeared) w.expected.set(id, allowed.appear!);
	await checkEveryPoint(w, ids);
	return {vanished, appeared};
}

/** The ids of the points `strata points vm` lists (read through the engine, as that command does). */
function listedPoints(w: World): number[] {
	const repo = Repository.open(w.repo);
	try {
		return listPoints(repo, 'vm').map(point => point.id);
	} finally {
		repo.close();
	}
}

/**
 * verify --read-data passes, the points listed are exactly the expected ones, and each restores to its captured hash.
 * The listing and restores run in this process through the engine functions the CLI calls: a child process per point
 * after every kill would cost more than the rest of the harness.
 */
export async function checkEveryPoint(w: World, listed?: number[]): Promise<void> {
	const verify = await runStrata(['--repo', w.repo, 'verify', '--read-data']);
	expect(verify.exitCode, verify.stderr).toBe(0);
	const ids = listed ?? listedPoints(w);
	expect(ids).toEqual([...w.expected.keys()].sort((a, b) => a - b));
	const folder = join(w.dir, 'checks');
	mkdirSync(folder, {recursive: true});
	pool ??= new CodecPool(2);
	const repo = Repository.open(w.repo);
	try {
		for (const id of ids) {
			const target = join(folder, `rp${id}-${w.restores++}.img`);
			await runRestore(repo, 'vm', id, {to: target, pool});
			expect(sha256File(target), `rp${id} restored`).toBe(w.expected.get(id));
			rmSync(target);
		}
	} finally {
		repo.close();
	}
}

/** What a repository's top folder holds (the lock only while a command runs). */
const repositoryLayout = new Set(['catalog.db', 'catalog.db-wal', 'catalog.db-shm', 'catalog.commits', 'strata.json', 'packs', 'tmp', 'locks']);

/**
 * Files in packs/ or tmp/ that the catalog's pack list does not name, and anything else in the repository's top
 * folder (a lock moved aside by a killed taker, say): what killed commands left behind.
 */
export function filesOutsideCatalog(repo: string): string[] {
	const db = new Database(join(repo, 'catalog.db'), {readonly: true, fileMustExist: true});
	let catalogued: Set<string>;
	try {
		catalogued = new Set(db.prepare('SELECT name FROM packs').pluck().all() as string[]);
	} finally {
		db.close();
	}

	const strays = packFiles(repo).filter(path => !path.endsWith('.pack') || !catalogued.has(basename(path, '.pack')));
	const unknown = readdirSync(repo).filter(name => !repositoryLayout.has(name));
	return [...strays, ...readdirSync(join(repo, 'tmp')).map(name => join(repo, 'tmp', name)), ...unknown.map(name => join(repo, name))];
}

/** Runs gc, which must succeed and leave no file outside the catalog; returns what it did. */
export async function gcReclaims(w: World): Promise<GcResult> {
	const result = JSON.parse(await w.cli.run(['gc', '--json'], nowOf(w))) as GcResult;
	expect(filesOutsideCatalog(w.repo), 'files left in the repository after gc that the catalog does not name').toEqual([]);
	return result;
}

/** Runs `expire` (or only lists, with dryRun) at the world's time; returns the ids of the points it expired or would. */
export async function expire(w: World, dryRun = false): Promise<Set<number>> {
	const result = JSON.parse(await w.cli.run(['expire', '--json', ...(dryRun ? ['--dry-run'] : [])], nowOf(w))) as {expired: Array<{id: number}>};
	return new Set(result.expired.map(point => point.id));
}
