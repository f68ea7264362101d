/**
 * Damage heals instead of spreading: an object found damaged (by verify or a restore) is marked; the next backup
 * stores it again instead of deduplicating against it, repointing the object so every point that used it heals;
 * `strata repair` does the same from the sources without a new backup and names the points it cannot heal.
 */
import {randomBytes} from 'node:crypto';
import {copyFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {pgEnv, pgSandbox} from '../helpers/pg.js';
import {damageObjectOfBlock, flipByte} from '../helpers/repo-files.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';

/** Reads the catalog from the outside, as a test must (the engine's own queries are what is under test). */
function catalog<T>(repo: string, sql: string, ...parameters: unknown[]): T[] {
	const db = new Database(join(repo, 'catalog.db'), {readonly: true});
	try {
		return db.prepare(sql).all(...parameters) as T[];
	} finally {
		db.close();
	}
}

/** The file of the repository's first pack of data (the oldest in the catalog holding an object a point pays for). */
function firstPack(repo: string): string {
	const [{name}] = catalog<{name: string}>(repo, 'SELECT name FROM packs p WHERE EXISTS (SELECT 1 FROM objects o WHERE o.pack_id = p.id AND o.charged_rp_id IS NOT NULL) ORDER BY id LIMIT 1') as [{name: string}];
	return join(repo, 'packs', name.slice(0, 2), `${name}.pack`);
}

async function world(bytes: number) {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	const disk = join(dir, 'v.img');
	await cli.run(['init']);
	writeRandomFile(disk, bytes);
	await cli.run(['item', 'add', 'v', '--volume', disk]);
	await cli.run(['backup', 'v']);
	const strata = async (...args: string[]) => runStrata(['--repo', repo, ...args]);
	/** Restores a point and returns the SHA-256 of what came back. */
	const restored = async (rpId: number) => {
		const target = join(dir, `restored-${rpId}-${Math.random().toString(36).slice(2)}.img`);
		await cli.run(['restore', 'v', String(rpId), '--to', target]);
		const hash = sha256File(target);
		rmSync(target);
		return hash;
	};

	return {dir, repo, cli, disk, strata, restored};
}

describe('damage heals', () => {
	it.each([
		['a flipped byte 4 MB into the first pack', (pack: string) => flipByte(pack, 4 * 1024 * 1024)],
		['the first pack deleted', (pack: string) => rmSync(pack)],
	])('%s: verify names rp1; a full backup stores the damaged data again; verify then passes and reports the repair; rp1 and rp2 restore byte-identically', {timeout: 180_000}, async (_name, damage) => {
		// Given the case: 64 MiB of random data, backed up once, then damaged.
		const {repo, disk, cli, strata, restored} = await world(64 * 1024 * 1024);
		const source = sha256File(disk);
		damage(firstPack(repo));

		const found = await strata('verify', '--read-data');
		expect(found.exitCode).toBe(1);
		expect(found.stderr).toContain('affected recovery points: v rp1.');
		expect(found.stderr).toContain('Run `strata repair` (or back up the item again)');

		// When the item is backed up again.
		await cli.run(['backup', 'v', '--type', 'full']);

		// Then nothing is damaged any more, and verify says what was repaired.
		const healed = await strata('verify', '--read-data');
		expect(healed.exitCode, healed.stderr).toBe(0);
		expect(healed.stdout).toMatch(/^repaired: \d+ objects? damaged earlier (is|are) repaired/m);
		expect(await restored(1)).toBe(source);
		expect(await restored(2)).toBe(source);
		// The repair is reported once; gc then reclaims what the damaged copies took, and every point still restores.
		await cli.run(['gc']);
		const again = await strata('verify', '--read-data');
		expect(again.exitCode, again.stderr).toBe(0);
		expect(again.stdout).not.toContain('repaired');
		expect(await restored(1)).toBe(source);
	});

	it('a restore that meets a damaged object marks it: the next (incremental) backup stores it again and the point heals', async () => {
		const {repo, disk, cli, strata, restored} = await world(128 * blockSize);
		const source = sha256File(disk);
		damageObjectOfBlock(repo, 1, 7);
		const refused = await strata('restore', 'v', '1', '--to', join(repo, '..', 'out.img'));
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toMatch(/^strata: object [0-9a-f]{12} in pack [0-9a-f]+ is damaged/);

		// No verify in between: the restore's mark is what makes the backup store the block again.
		await cli.run(['backup', 'v']);
		const healed = await strata('verify', '--read-data');
		expect(healed.exitCode, healed.stderr).toBe(0);
		expect(healed.stdout).toContain('repaired: 1 object damaged earlier is repaired');
		expect(await restored(1)).toBe(source);
		expect(await restored(2)).toBe(source);
	});
});

describe('strata repair', () => {
	it('heals from the source without a new backup; a point whose source block changed since stays broken, named (exit 1)', async () => {
		// Given rp1 (a full) and rp2 (an incremental with its own copy of block 20), and the source as rp1 saw it.
		const {dir, repo, disk, cli, strata, restored} = await world(128 * blockSize);
		const atFirst = join(dir, 'first.img');
		copyFileSync(disk, atFirst);
		writeBlock(disk, 20, randomBytes(blockSize));
		await cli.run(['backup', 'v']);
		// Block 5 (shared by both points) and rp2's block 20 are damaged and found; then block 20 changes at the source.
		damageObjectOfBlock(repo, 1, 5);
		damageObjectOfBlock(repo, 2, 20);
		expect((await strata('verify', '--read-data')).stderr).toContain('affected recovery points: v rp1, v rp2.');
		writeBlock(disk, 20, randomBytes(blockSize));

		// When repair runs.
		const repair = await strata('repair');

		// Then block 5 is stored again (rp1 heals); block 20's content is gone from the source, so rp2 stays broken.
		expect(repair.exitCode).toBe(1);
		expect(repair.stdout.split('\n')).toEqual(['Repaired 1 of 2 damaged object(s) from the sources', 'broken: v rp2: its source no longer holds the damaged blocks as they were']);
		expect(repair.stderr.trim().split('\n')).toEqual(['strata: 1 recovery point(s) stay damaged: v rp2. Restore from an unaffected recovery point; a new backup protects the data the sources hold now.']);
		expect(await restored(1)).toBe(sha256File(atFirst));
		const verify = await strata('verify', '--read-data');
		expect(verify.exitCode).toBe(1);
		expect(verify.stdout).toContain('repaired: 1 object damaged earlier is repaired');
		expect(verify.stderr).toContain('affected recovery points: v rp2.');

		// The JSON report says the same; a repair with nothing left to heal changes nothing.
		const json = JSON.parse((await strata('repair', '--json')).stdout) as {repaired: number; brokenPoints: Array<{id: number}>};
		expect(json).toMatchObject({repaired: 0, damagedBefore: 1, brokenPoints: [{item: 'v', id: 2}]});
	});

	it('heals every point when the source still holds the data: exit 0, verify passes', async () => {
		const {repo, disk, cli, strata, restored} = await world(128 * blockSize);
		const source = sha256File(disk);
		await cli.run(['backup', 'v']);
		damageObjectOfBlock(repo, 1, 3);
		damageObjectOfBlock(repo, 1, 90);
		expect((await strata('verify', '--read-data')).exitCode).toBe(1);
		const repair = await strata('repair', 'v');
		expect(repair.exitCode, repair.stderr).toBe(0);
		expect(repair.stdout).toBe('Repaired 2 of 2 damaged object(s) from the sources');
		const verify = await strata('verify', '--read-data');
		expect(verify.exitCode, verify.stderr).toBe(0);
		expect(verify.stdout).toContain('repaired: 2 objects damaged earlier are repaired');
		expect(await restored(1)).toBe(source);
		expect(await restored(2)).toBe(source);
	});
});

describe('a PostgreSQL point', () => {
	it('a restore that meets a damaged chunk marks it; repair says only a backup heals a dump (exit 1); the next incremental backup stores the chunk again and the point restores', {timeout: 60_000}, async () => {
		// Given a backed-up database whose point has a damaged chunk in the middle of its dump.
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		const strata = async (...args: string[]) => runStrata(['--repo', repo, ...args]);
		const database = `heal_${process.pid}`;
		const psql = async (db: string, sql: string) => execa(join(pgSandbox().PGBIN, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], {env: pgEnv(), stdin: 'ignore'});
		await psql('postgres', `CREATE DATABASE ${database}`);
		await psql(database, 'CREATE TABLE t AS SELECT g AS id, md5(g::text) AS pad FROM generate_series(1, 50000) g');
		const {PGHOST, PGPORT, PGUSER} = pgSandbox();
		await cli.run(['init']);
		await cli.run(['item', 'add', 'db', '--postgres', database, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', PGUSER]);
		await cli.run(['backup', 'db']);
		const [chunk] = catalog<{name: string; offset: number}>(
			repo,
			'SELECT p.name, o.offset FROM recipes r JOIN objects o ON o.id = r.object_id JOIN packs p ON p.id = o.pack_id WHERE r.rp_id = 1 AND r.seq = (SELECT max(seq) / 2 FROM recipes WHERE rp_id = 1)',
		);
		flipByte(join(repo, 'packs', chunk!.name.slice(0, 2), `${chunk!.name}.pack`), chunk!.offset + 10);
		const refused = await strata('restore', 'db', '1', '--to-file', join(dir, 'refused.dump'));
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toMatch(/^strata: object [0-9a-f]{12} in pack [0-9a-f]+ is damaged/);

		// When repair runs: a dump cannot be re-read in pieces, so it names the point and says what heals it.
		const repair = await strata('repair', 'db');
		expect(repair.exitCode).toBe(1);
		expect(repair.stdout).toContain('broken: db rp1: a dump cannot be re-read in pieces: back up the item again');

		// Then the next (incremental) backup stores the chunk again: verify passes and the point restores.
		await cli.run(['backup', 'db']);
		const verify = await strata('verify', '--read-data');
		expect(verify.exitCode, verify.stderr).toBe(0);
		expect(verify.stdout).toContain('repaired: 1 object damaged earlier is repaired');
		await cli.run(['restore', 'db', '1', '--to-file', join(dir, 'rp1.dump')]);
	});
});
