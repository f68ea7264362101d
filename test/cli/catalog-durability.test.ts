/**
 * A catalog that lost its WAL: the committed points it held are gone from the catalog, but their packs are not
 * garbage. gc must not delete what it cannot account for, the loss is reported on open, and the console (whose
 * connection outlives the deleted files) never writes an older state back.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {filesOutsideCatalog} from '../helpers/crash.js';
import {packFiles} from '../helpers/repo-files.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {killAllSessions, sendKeys, tmux, waitForScreen} from '../helpers/tmux.js';
import {rewriteRandomBlocks, writeRandomFile} from '../helpers/volume.js';

afterAll(killAllSessions);

async function repositoryWithPoint() {
	const dir = makeTempDir('strata-durable-');
	const repo = join(dir, 'repo');
	const disk = join(dir, 'v.img');
	const cli = strataFor(repo);
	await cli.run(['init']);
	writeRandomFile(disk, 4 * 1024 * 1024);
	await cli.run(['item', 'add', 'v', '--volume', disk]);
	await cli.run(['backup', 'v']);
	return {dir, repo, disk, cli};
}

function removeWal(repo: string): void {
	rmSync(join(repo, 'catalog.db-wal'));
	rmSync(join(repo, 'catalog.db-shm'), {force: true});
}

const pointsJson = async (repo: string) => (await runStrata(['--repo', repo, 'points', 'v', '--json'])).stdout;
const pointIds = async (repo: string) => (JSON.parse(await pointsJson(repo)) as Array<{id: number}>).map(point => point.id);

describe('a catalog that lost its WAL after an unclean stop', () => {
	it('is reported on open; gc deletes nothing and names the packs; gc --force removes them', async () => {
		// Given a backup killed right after its commit (the point is only in catalog.db-wal), and that file deleted:
		const {repo, disk} = await repositoryWithPoint();
		rewriteRandomBlocks(disk, 256, 128);
		const killed = await runStrata(['--repo', repo, 'backup', 'v'], {env: {STRATA_CRASH_AT: 'point-committed'}});
		expect(killed.exitCode).not.toBe(0);
		removeWal(repo);
		const lostPacks = filesOutsideCatalog(repo);
		expect(lostPacks.length).toBeGreaterThan(0);

		// Then reading says the catalog lost commits, and how to get them back.
		const points = await runStrata(['--repo', repo, 'points', 'v']);
		expect(points.exitCode).toBe(0);
		expect(points.stderr).toMatch(/^strata: warning: the catalog at .* lacks 1 committed change\(s\) .*catalog\.db-wal was lost.* Restore catalog\.db and catalog\.db-wal together from a copy/);
		// gc deletes nothing, naming the packs it cannot account for; writers refuse too.
		const gc = await runStrata(['--repo', repo, 'gc']);
		expect(gc.exitCode).toBe(1);
		expect(gc.stderr.trim().split('\n')).toHaveLength(1);
		expect(gc.stderr).toMatch(/^strata: gc deleted nothing: .*lacks 1 committed change.* may hold the data of recovery points the catalog lost\. .*`strata gc --force`/);
		for (const path of lostPacks) expect(gc.stderr).toContain(path.slice(repo.length + 1));
		for (const path of lostPacks) expect(existsSync(path), path).toBe(true);
		const backup = await runStrata(['--repo', repo, 'backup', 'v']);
		expect(backup.stderr).toMatch(/^strata: cannot backup v: the catalog at .* lacks 1 committed change/);

		// gc --force removes them and accepts the catalog; then all is as usual.
		const forced = await runStrata(['--repo', repo, 'gc', '--force', '--json']);
		expect(forced.exitCode, forced.stderr).toBe(0);
		expect((JSON.parse(forced.stdout) as {orphanFiles: number}).orphanFiles).toBe(lostPacks.length);
		expect(filesOutsideCatalog(repo)).toEqual([]);
		const after = await runStrata(['--repo', repo, 'backup', 'v']);
		expect(after.exitCode, after.stderr).toBe(0);
		expect(after.stderr).toBe('');
		expect(await pointIds(repo)).toHaveLength(2);
	});

	it('a pack no point or pending backup names stops gc; a killed backup\'s garbage does not', async () => {
		const {dir, repo, disk} = await repositoryWithPoint();
		// A killed backup's packs are pending under a dead process: plain gc removes them.
		rewriteRandomBlocks(disk, 256, 128);
		const killed = await runStrata(['--repo', repo, 'backup', 'v'], {env: {STRATA_CRASH_AT: 'packs-durable'}});
		expect(killed.exitCode).not.toBe(0);
		expect(filesOutsideCatalog(repo).length).toBeGreaterThan(0);
		const gc = await runStrata(['--repo', repo, 'gc']);
		expect(gc.exitCode, gc.stderr).toBe(0);
		expect(filesOutsideCatalog(repo)).toEqual([]);
		// A pack file from elsewhere (a lost point's, say) is not garbage gc may judge.
		const other = await repositoryWithPoint();
		const [stray] = packFiles(other.repo);
		const name = stray!.slice(other.repo.length + 1);
		const {mkdirSync, copyFileSync} = await import('node:fs');
		mkdirSync(join(repo, name, '..'), {recursive: true});
		copyFileSync(stray!, join(repo, name));
		const refused = await runStrata(['--repo', repo, 'gc']);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toContain(name);
		expect(existsSync(join(repo, name))).toBe(true);
		void dir;
	});
});

describe('the console when catalog.db-wal and -shm are deleted under it', () => {
	it('never writes an older state back, and says the catalog was replaced', async () => {
		const {repo, disk} = await repositoryWithPoint();
		const session = `durable-${process.pid}`;
		tmux(session, `node ${cliEntry} --repo ${repo}`, {columns: 100, rows: 30});
		await waitForScreen(session, /Storage cost/);
		// With the console open, a backup commits rp2 into the WAL; then the WAL and -shm are deleted, and whatever
		// writers may still do runs (a backup; on this build first the accepting gc --force).
		rewriteRandomBlocks(disk, 256, 64);
		expect((await runStrata(['--repo', repo, 'backup', 'v'])).exitCode).toBe(0);
		removeWal(repo);
		await runStrata(['--repo', repo, 'gc', '--force']);
		rewriteRandomBlocks(disk, 256, 64);
		await runStrata(['--repo', repo, 'backup', 'v', '--type', 'full']);
		const before = await pointsJson(repo);
		// The console notices: an error panel, not "disk I/O error ... a bug".
		const screen = await waitForScreen(session, /replaced while the console was open|cannot be read/, 10_000);
		expect(screen).not.toMatch(/bug/i);
		sendKeys(session, 'q');
		for (let waited = 0; waited < 10_000 && readdirSync(repo).includes('catalog.db-shm'); waited += 100) await sleep(100);
		await sleep(500);
		// After it quits, the CLI sees what it saw before (a read-write connection checkpointed its stale WAL on exit and
		// brought the lost incremental back over the new full), and the repository checks out.
		expect(await pointsJson(repo)).toEqual(before);
		const verify = await runStrata(['--repo', repo, 'verify', '--read-data']);
		expect(verify.exitCode, verify.stderr).toBe(0);
	});
});
