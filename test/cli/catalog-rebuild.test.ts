/**
 * `strata catalog rebuild`: with catalog.db and its -wal and -shm deleted, the catalog comes back from the packs alone
 * (every pack's index, every point's manifest, the repository's state): the same points (ids, types, dates, owned
 * blocks, stored bytes), block maps, recipes and charges, items, policies and price; every point restores
 * byte-identically. A pack whose index is damaged is reported and skipped, naming the points it breaks. Killed at
 * each of its steps and run again, it gives the same catalog.
 */
import {cpSync, existsSync, readdirSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {pgEnv, pgSandbox} from '../helpers/pg.js';
import {flipByte} from '../helpers/repo-files.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {makeDisk, rewriteRandomBlocks, sha256File} from '../helpers/volume.js';

const bin = (name: string) => join(pgSandbox().PGBIN, name);
const day = 24 * 60 * 60 * 1000;
const start = Date.parse('2026-03-02T10:00:00Z');
const at = (ms: number) => new Date(start + ms).toISOString();

async function sql(database: string, statement: string): Promise<void> {
	await execa(bin('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', statement], {env: pgEnv(), stdin: 'ignore'});
}

/** What the catalog says, by hashes rather than internal object ids: must be the same after a rebuild. */
function catalogContent(repo: string): Record<string, unknown[]> {
	const db = new Database(join(repo, 'catalog.db'), {readonly: true});
	try {
		const all = (query: string) => (db.prepare(query).raw().all() as unknown[][]).map(row => JSON.stringify(row.map(value => (Buffer.isBuffer(value) ? value.toString('hex') : value))));
		return {
			items: all('SELECT id, name, kind, block_size, settings, created_at, state, deleted_at, policy_id, last_slot_at FROM items ORDER BY id'),
			disks: all('SELECT id, item_id, name, path FROM disks ORDER BY id'),
			policies: all('SELECT * FROM policies ORDER BY id'),
			settings: all("SELECT key, value FROM meta WHERE key NOT IN ('commits', 'record-seq') ORDER BY key"),
			points: all('SELECT * FROM recovery_points ORDER BY id'),
			pointDisks: all('SELECT * FROM rp_disks ORDER BY rp_id, disk_id'),
			blockMaps: all('SELECT b.rp_id, b.disk_id, b.block_index, o.hash FROM block_map b LEFT JOIN objects o ON o.id = b.object_id ORDER BY 1, 2, 3'),
			recipes: all('SELECT r.rp_id, r.seq, o.hash FROM recipes r JOIN objects o ON o.id = r.object_id ORDER BY 1, 2'),
			charges: all('SELECT hash, charged_rp_id, stored_length FROM objects WHERE charged_rp_id IS NOT NULL ORDER BY hash'),
		};
	} finally {
		db.close();
	}
}

function deleteCatalog(repo: string): void {
	for (const suffix of ['', '-wal', '-shm']) rmSync(join(repo, `catalog.db${suffix}`), {force: true});
}

function copyRepo(from: string): string {
	const to = join(makeTempDir(), 'repo');
	cpSync(from, to, {recursive: true});
	return to;
}

describe('catalog rebuild', () => {
	let repo: string;
	let disk: string;
	let database: string;
	let cli: ReturnType<typeof strataFor>;
	/** Per volume point, the disk's hash at capture; per dump point, the dump a restore gave before any rebuild. */
	const expectedVolume = new Map<number, string>();
	const expectedDump = new Map<number, string>();
	let views: Record<'vm' | 'shop' | 'items' | 'policies' | 'price', string>;
	let content: Record<string, unknown[]>;
	let clock = 0;

	const run = (args: string[]) => cli.run(args, at(clock));
	async function views_(target: string): Promise<typeof views> {
		const bound = strataFor(target);
		const now = at(clock);
		return {
			vm: await bound.run(['points', 'vm', '--json'], now),
			shop: await bound.run(['points', 'shop', '--json'], now),
			items: await bound.run(['item', 'list', '--json'], now),
			policies: await bound.run(['policy', 'list', '--json'], now),
			price: await bound.run(['config', 'get', '--json'], now),
		};
	}

	async function backupVm(...flags: string[]): Promise<number> {
		const point = JSON.parse(await run(['backup', 'vm', '--json', ...flags])) as {id: number};
		expectedVolume.set(point.id, sha256File(disk));
		clock += 60 * 60 * 1000;
		return point.id;
	}

	/** Restores every point of `target` and checks each against what it held at capture. */
	async function restoresEveryPoint(target: string, skip: ReadonlySet<number> = new Set()): Promise<void> {
		const out = makeTempDir();
		const bound = strataFor(target);
		for (const [id, hash] of expectedVolume) {
			if (skip.has(id) || !JSON.parse(views.vm).some((point: {id: number}) => point.id === id)) continue;
			await bound.run(['restore', 'vm', String(id), '--to', join(out, `vm${id}.img`)]);
			expect(sha256File(join(out, `vm${id}.img`)), `vm rp${id}`).toBe(hash);
		}

		for (const [id, hash] of expectedDump) {
			if (skip.has(id)) continue;
			await bound.run(['restore', 'shop', String(id), '--to-file', join(out, `shop${id}.dump`)]);
			expect(sha256File(join(out, `shop${id}.dump`)), `shop rp${id}`).toBe(hash);
		}
	}

	beforeAll(async () => {
		const dir = makeTempDir();
		repo = join(dir, 'repo');
		disk = join(dir, 'disk.img');
		cli = strataFor(repo);
		makeDisk(disk, 96);
		await run(['init']);
		await run(['policy', 'add', 'nightly', '--schedule', 'daily@02:30', '--retain-daily', '7', '--retain-weekly', '4']);
		await run(['config', 'set', 'price-per-gib-month', '0.031', '--currency', 'EUR']);
		await run(['item', 'add', 'vm', '--volume', disk, '--freeze-cmd', 'true']);
		// A volume: full, incrementals, a differential, and an incremental merged away on expiry.
		await backupVm('--type', 'full');
		rewriteRandomBlocks(disk, 96, 8);
		const merged = await backupVm('--type', 'incremental', '--retain-days', '1');
		rewriteRandomBlocks(disk, 96, 8);
		await backupVm('--type', 'incremental');
		rewriteRandomBlocks(disk, 96, 8);
		await backupVm('--type', 'differential');
		rewriteRandomBlocks(disk, 96, 4);
		await backupVm('--type', 'incremental');
		clock += 2 * day;
		await run(['expire']);
		expectedVolume.delete(merged);
		// A PostgreSQL item under the policy, two points.
		database = `rebuild_${process.pid}`;
		await sql('postgres', `DROP DATABASE IF EXISTS ${database}`);
		await sql('postgres', `CREATE DATABASE ${database}`);
		await sql(database, "CREATE TABLE t (id int PRIMARY KEY, body text); INSERT INTO t SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 3000) g");
		const {PGHOST, PGPORT, PGUSER} = pgSandbox();
		await run(['item', 'add', 'shop', '--postgres', database, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', PGUSER]);
		await run(['item', 'set', 'shop', '--policy', 'nightly']);
		for (let round = 0; round < 2; round++) {
			const point = JSON.parse(await run(['backup', 'shop', '--json'])) as {id: number};
			const file = join(makeTempDir(), 'shop.dump');
			await run(['restore', 'shop', String(point.id), '--to-file', file]);
			expectedDump.set(point.id, sha256File(file));
			await sql(database, `UPDATE t SET body = 'changed ${round}' WHERE id % 50 = ${round}`);
			clock += 60 * 60 * 1000;
		}

		views = await views_(repo);
		content = catalogContent(repo);
		expect(JSON.parse(views.vm).map((point: {type: string}) => point.type)).toEqual(['full', 'incremental', 'differential', 'incremental']);
	}, 180_000);

	it('recreates the catalog from the packs alone: the same points, items, policies and price, and every point restores', async () => {
		const target = copyRepo(repo);
		deleteCatalog(target);
		const result = await runStrata(['--repo', target, 'catalog', 'rebuild'], {env: {STRATA_NOW: at(clock)}});
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toContain('2 item(s), 1 policy, 6 recovery point(s)');
		expect(await views_(target)).toEqual(views);
		expect(catalogContent(target)).toEqual(content);
		await restoresEveryPoint(target);
		const verify = await runStrata(['--repo', target, 'verify', '--read-data', '--json']);
		expect(verify.exitCode, verify.stderr).toBe(0);
		// verify also checks that the catalog and every pack's own index agree.
		expect((JSON.parse(verify.stdout) as {packs: {problems: unknown[]}}).packs.problems).toEqual([]);
		// The rebuilt repository goes on: a new backup (the next id), an expiry, gc with nothing unaccounted for.
		rewriteRandomBlocks(disk, 96, 2);
		const next = JSON.parse(await strataFor(target).run(['backup', 'vm', '--json'], at(clock))) as {id: number};
		expect(next.id).toBe(Math.max(...JSON.parse(views.shop).map((point: {id: number}) => point.id)) + 1);
		const gc = await runStrata(['--repo', target, 'gc']);
		expect(gc.exitCode, gc.stderr).toBe(0);
		expect(await strataFor(target).run(['points', 'shop', '--json'], at(clock))).toEqual(views.shop);
	}, 120_000);

	it('refuses while catalog.db exists; --force moves it aside and rebuilds', async () => {
		const target = copyRepo(repo);
		const refused = await runStrata(['--repo', target, 'catalog', 'rebuild']);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toMatch(/^strata: the repository at .* has a catalog .*`strata catalog rebuild --force` moves the existing one aside/);
		const forced = await runStrata(['--repo', target, 'catalog', 'rebuild', '--force'], {env: {STRATA_NOW: at(clock)}});
		expect(forced.exitCode, forced.stderr).toBe(0);
		const aside = readdirSync(target).filter(name => name.startsWith('catalog-before-rebuild-') && name.endsWith('.db'));
		expect(aside).toHaveLength(1);
		expect(statSync(join(target, aside[0]!)).size).toBeGreaterThan(0);
		expect(catalogContent(target)).toEqual(content);
	}, 60_000);

	it('reports a pack whose index is damaged, names the points it breaks, and the others restore', async () => {
		const target = copyRepo(repo);
		// The pack holding the newest volume point's own blocks.
		const newest = Math.max(...[...expectedVolume.keys()]);
		const db = new Database(join(target, 'catalog.db'), {readonly: true});
		const pack = db.prepare('SELECT p.name FROM objects o JOIN packs p ON p.id = o.pack_id WHERE o.charged_rp_id = ? LIMIT 1').pluck().get(newest) as string;
		db.close();
		const path = join(target, 'packs', pack.slice(0, 2), `${pack}.pack`);
		flipByte(path, statSync(path).size - 60);
		// With the catalog there, verify finds the index damaged too.
		const verify = await runStrata(['--repo', target, 'verify']);
		expect(verify.exitCode).toBe(1);
		expect(verify.stdout).toContain(`in pack ${pack}`);
		deleteCatalog(target);
		const result = await runStrata(['--repo', target, 'catalog', 'rebuild'], {env: {STRATA_NOW: at(clock)}});
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toContain(`damaged pack ${pack}: pack index damaged`);
		expect(result.stderr).toMatch(new RegExp(`^strata: the catalog was rebuilt, but 1 pack\\(s\\) could not be read and 1 recovery point\\(s\\) cannot restore whole \\(vm rp${newest}\\)`));
		// The other points are all there and restore byte-identically; the broken one says what it misses.
		const points = JSON.parse(await strataFor(target).run(['points', 'vm', '--json'], at(clock))) as Array<{id: number}>;
		expect(points.map(point => point.id)).toEqual(JSON.parse(views.vm).map((point: {id: number}) => point.id));
		await restoresEveryPoint(target, new Set([newest]));
		const broken = await runStrata(['--repo', target, 'restore', 'vm', String(newest), '--to', join(makeTempDir(), 'out.img')]);
		expect(broken.exitCode).toBe(1);
		expect(broken.stderr).toContain(`needed by rp${newest} is not in the catalog`);
	}, 120_000);

	it('killed at each of its steps and run again, gives the same catalog', async () => {
		for (const step of ['rebuild-scanned', 'rebuild-built', 'rebuild-renamed']) {
			const target = copyRepo(repo);
			deleteCatalog(target);
			const killed = await execa('node', [cliEntry, '--repo', target, 'catalog', 'rebuild'], {reject: false, env: {STRATA_CRASH_AT: step, STRATA_NOW: at(clock)}});
			expect(killed.signal, `${step}: ${killed.stderr}`).toBe('SIGKILL');
			// Killed before the rename, there is no catalog: run it again. After, the catalog is the whole one.
			expect(existsSync(join(target, 'catalog.db')), step).toBe(step === 'rebuild-renamed');
			if (step !== 'rebuild-renamed') {
				const again = await runStrata(['--repo', target, 'catalog', 'rebuild'], {env: {STRATA_NOW: at(clock)}});
				expect(again.exitCode, `${step}: ${again.stderr}`).toBe(0);
			}

			expect(catalogContent(target), step).toEqual(content);
			expect(await views_(target), step).toEqual(views);
		}

		// And at a random instant while it builds (once its file exists in tmp/).
		const target = copyRepo(repo);
		deleteCatalog(target);
		const child = execa('node', [cliEntry, '--repo', target, 'catalog', 'rebuild'], {reject: false, env: {STRATA_NOW: at(clock)}});
		while (child.exitCode === null && !existsSync(join(target, 'tmp', 'catalog-rebuild.db'))) await sleep(1);
		await sleep(Math.random() * 30);
		child.kill('SIGKILL');
		await child;
		if (!existsSync(join(target, 'catalog.db'))) {
			const again = await runStrata(['--repo', target, 'catalog', 'rebuild'], {env: {STRATA_NOW: at(clock)}});
			expect(again.exitCode, again.stderr).toBe(0);
		}

		expect(catalogContent(target)).toEqual(content);
	}, 180_000);
});
