/**
 * PostgreSQL restores that go wrong, and database "names" that would carry a password: each fails with one clear line,
 * commits nothing and leaves the target as it was. Runs on the real sandbox server.
 */
import {closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, writeSync} from 'node:fs';
import {basename, join} from 'node:path';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {CodecPool, Repository, runRestore} from '../../source/engine/index.js';
import {runStrata, type StrataRun} from '../helpers/cli.js';
import {pgEnv, pgSandbox} from '../helpers/pg.js';
import {openPackFiles, packFiles} from '../helpers/repo-files.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';

async function psql(database: string, statement: string): Promise<string> {
	const result = await execa(join(pgSandbox().PGBIN, 'psql'), ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', statement], {env: pgEnv(), stdin: 'ignore'});
	return result.stdout;
}

const tablesIn = async (database: string) => psql(database, "SELECT coalesce(string_agg(schemaname || '.' || tablename, ',' ORDER BY 1), '') FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
const databaseExists = async (name: string) => (await psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${name}'`)) === '1';

let counter = 0;
const databaseName = (prefix: string) => `${prefix}_${process.pid}_${counter++}`;

/** One line on stderr, exit 1. */
function expectRefused(result: StrataRun, pattern: RegExp): void {
	expect(result.exitCode, result.stderr).toBe(1);
	expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
	expect(result.stderr).toMatch(pattern);
}

describe('PostgreSQL restores that fail', () => {
	let repo: string;
	let rp: string;
	const strata = async (args: string[]) => runStrata(['--repo', repo, ...args]);

	beforeAll(async () => {
		repo = join(makeTempDir(), 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		const source = databaseName('safety');
		await psql('postgres', `CREATE DATABASE ${source}`);
		// A big table whose rows follow its definition in the dump, so a failure early leaves megabytes still to come.
		await psql(
			source,
			`CREATE TABLE public.big AS SELECT g AS id, repeat(md5(g::text), 4) AS pad FROM generate_series(1, 150000) g;
			CREATE SCHEMA extra; CREATE TABLE extra.notes (id int PRIMARY KEY, body text);
			INSERT INTO extra.notes SELECT g, 'note ' || g FROM generate_series(1, 10) g`,
		);
		const {PGHOST, PGPORT, PGUSER} = pgSandbox();
		await cli.run(['item', 'add', 'safety', '--postgres', source, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', PGUSER]);
		rp = String((await cli.backup('safety')).id);
	}, 60_000);

	it('refuses a connection string as a database name, so a password in one is never stored or printed', async () => {
		const password = `Pw${process.pid}secret`;
		const outputs: string[] = [];
		for (const args of [
			['item', 'add', 'leak', '--postgres', `postgresql://strata_pw:${password}@localhost/x`],
			['item', 'add', 'leak', '--postgres', `dbname=x password=${password}`],
			['restore', 'safety', rp, '--to-db', `dbname=x password=${password}`],
		]) {
			const result = await strata(args);
			expectRefused(result, /must be a plain database name, not a connection string/);
			outputs.push(result.stdout, result.stderr);
		}

		for (const output of outputs) expect(output).not.toContain(password);
		for (const name of readdirSync(repo).filter(file => file.startsWith('catalog.db'))) expect(readFileSync(join(repo, name)).includes(password), name).toBe(false);
	});

	it('restores a table outside public into an empty database, creating its schema', async () => {
		const target = databaseName('schema');
		const result = await strata(['restore', 'safety', rp, '--to-db', target, '--table', 'extra.notes']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(await tablesIn(target)).toBe('extra.notes');
		expect(await psql(target, 'SELECT count(*) FROM extra.notes')).toBe('10');
	});

	it('refuses --table for a table the dump lacks, before creating the target database', async () => {
		const target = databaseName('notable');
		expectRefused(await strata(['restore', 'safety', rp, '--to-db', target, '--table', 'public.nosuch']), /^strata: rp\d+ of "safety" has no table public\.nosuch\. /);
		expect(await databaseExists(target)).toBe(false);
	});

	it('refuses --table with --to-file (the file always holds the whole dump) and writes nothing', async () => {
		const file = join(repo, '..', 'one-table.dump');
		expectRefused(await strata(['restore', 'safety', rp, '--to-file', file, '--table', 'public.big']), /--table restores into a database/);
		expect(existsSync(file)).toBe(false);
	});

	it('fails with psql\'s own error line when psql stops early, without hanging on the data still to come, and leaves an existing database as it was', async () => {
		// Given an empty database where a type already has the name the restored table needs
		const target = databaseName('clash');
		await psql('postgres', `CREATE DATABASE ${target}`);
		await psql(target, 'CREATE DOMAIN public.big AS int');
		// When the whole dump is restored into it
		const result = await strata(['restore', 'safety', rp, '--to-db', target]);
		// Then psql's error is the message, and the transaction was rolled back
		expectRefused(result, /^strata: psql failed while restoring into ".*": ERROR: +type "big" already exists\. The restore ran in one transaction and was rolled back\.$/);
		expect(await tablesIn(target)).toBe('');
		expect(await psql(target, "SELECT count(*) FROM pg_type WHERE typname = 'big'")).toBe('1');
	});

	it('writes the same dump through a shared codec pool as on its own, and keeps no pack open after it', async () => {
		// Given the point restored to a file by the CLI (its own pool)
		const dir = makeTempDir();
		const alone = join(dir, 'alone.dump');
		expect((await strata(['restore', 'safety', rp, '--to-file', alone])).exitCode).toBe(0);
		// When it is restored again through a pool that outlives the restore (as the scheduler's and tests' do)
		const shared = join(dir, 'shared.dump');
		const pool = new CodecPool(2);
		const opened = Repository.open(repo);
		try {
			await runRestore(opened, 'safety', Number(rp), {toFile: shared, pool});
			// Then the dumps are the same bytes, and the pool's workers hold none of the repository's packs open
			expect(readFileSync(shared).equals(readFileSync(alone))).toBe(true);
			expect(openPackFiles(repo)).toEqual([]);
		} finally {
			opened.close();
			await pool.close();
		}
	});

	it('fails on a damaged chunk in the middle of the dump and commits nothing of the part before it', async () => {
		// Given an empty existing database, and an object in the middle of the point's recipe damaged on disk
		const target = databaseName('damaged');
		await psql('postgres', `CREATE DATABASE ${target}`);
		const db = new Database(join(repo, 'catalog.db'), {readonly: true});
		const object = db
			.prepare('SELECT p.name AS pack, o.offset, o.stored_length AS length FROM recipes r JOIN objects o ON o.id = r.object_id JOIN packs p ON p.id = o.pack_id WHERE r.rp_id = ? AND r.seq = (SELECT max(seq) * 2 / 3 FROM recipes WHERE rp_id = ?)')
			.get(Number(rp), Number(rp)) as {pack: string; offset: number; length: number};
		db.close();
		const fd = openSync(packFiles(repo).find(path => basename(path).startsWith(object.pack))!, 'r+');
		const byte = Buffer.alloc(1);
		const at = object.offset + Math.floor(object.length / 2);
		readSync(fd, byte, 0, 1, at);
		writeSync(fd, Buffer.from([byte[0]! ^ 0xff]), 0, 1, at);
		closeSync(fd);
		// When the point is restored into it
		const result = await strata(['restore', 'safety', rp, '--to-db', target]);
		// Then the restore names the damaged object, and the tables whose SQL had already gone to psql are not there
		expectRefused(result, /^strata: object [0-9a-f]{12} in pack .* is damaged/);
		expect(await tablesIn(target)).toBe('');
	});
});
