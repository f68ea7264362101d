/** PostgreSQL items on the real sandbox server: pg_dump in, psql out, deduplicated incrementals, one-table restores. */
import {cpSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {pgEnv, pgSandbox} from '../helpers/pg.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {killSession, sendKeys, tmux, waitForScreen} from '../helpers/tmux.js';
import {migrations} from '../../source/engine/catalog/migrations.js';
import {shortBytes} from '../../source/tui/format.js';

const bin = (name: string) => join(pgSandbox().PGBIN, name);

async function sql(database: string, statement: string, env: Record<string, string> = {}): Promise<string> {
	const result = await execa(bin('psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', statement], {env: {...pgEnv(), ...env}, stdin: 'ignore'});
	return result.stdout;
}

/** A plain dump for comparing databases, without comments and pg_dump's random \restrict keys. */
async function comparableDump(database: string): Promise<string> {
	const {stdout} = await execa(bin('pg_dump'), ['-Fp', '-d', database], {env: pgEnv(), stdin: 'ignore'});
	return stdout
		.split('\n')
		.filter(line => !line.startsWith('--') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
		.join('\n');
}

let counter = 0;
function databaseName(prefix: string): string {
	return `${prefix}_${process.pid}_${counter++}`;
}

describe('PostgreSQL backups', () => {
	let repo: string;
	let cli: ReturnType<typeof strataFor>;
	let source: string;
	const dumps: string[] = [];
	let points: Array<{id: number; type: string; storedBytes: number; ownedChunks: number; changedChunks: number; databaseBytes: number; serverVersion: string}> = [];

	beforeAll(async () => {
		const dir = makeTempDir();
		repo = join(dir, 'repo');
		cli = strataFor(repo);
		await cli.run(['init']);
		source = databaseName('shop');
		await sql('postgres', `CREATE DATABASE ${source}`);
		await execa(bin('pgbench'), ['-i', '-s', '5', '-q', source], {env: pgEnv()});
		const {PGHOST, PGPORT, PGUSER} = pgSandbox();
		await cli.run(['item', 'add', 'shop', '--postgres', source, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', PGUSER]);
		await cli.run(['backup', 'shop']);
		dumps.push(await comparableDump(source));
		await execa(bin('pgbench'), ['-n', '-c', '1', '-t', '200', source], {env: pgEnv()});
		await cli.run(['backup', 'shop']);
		dumps.push(await comparableDump(source));
		points = JSON.parse(await cli.run(['points', 'shop', '--json'])) as typeof points;
	}, 120_000);

	it('stores a full and a small incremental, with database size and server version', () => {
		expect(points.map(point => point.type)).toEqual(['full', 'incremental']);
		expect(points[1]!.storedBytes).toBeLessThan(points[0]!.storedBytes * 0.2);
		expect(points[1]!.ownedChunks).toBeGreaterThan(0);
		expect(points[1]!.ownedChunks).toBeLessThan(points[0]!.ownedChunks * 0.2);
		expect(points[0]!.databaseBytes).toBeGreaterThan(1024 * 1024);
		expect(points[0]!.serverVersion).toMatch(/^\d+\.\d+/);
	});

	it('shows the incremental\'s churn: its changed chunks\' bytes against the dump\'s size', async () => {
		const report = JSON.parse(await cli.run(['churn', 'shop', '--json'])) as {points: Array<{id: number; changedBlocks: number; changedBytes: number; usedBytes: number; churn: number}>};
		const incremental = report.points.find(point => point.id === points[1]!.id)!;
		// The chunks of its recipe that the full's lacks, from the catalog.
		const db = new Database(join(repo, 'catalog.db'), {readonly: true});
		const changed = db
			.prepare('SELECT count(*) AS chunks, sum(o.raw_length) AS bytes FROM (SELECT object_id FROM recipes WHERE rp_id = ? EXCEPT SELECT object_id FROM recipes WHERE rp_id = ?) c JOIN objects o ON o.id = c.object_id')
			.get(points[1]!.id, points[0]!.id) as {chunks: number; bytes: number};
		db.close();
		expect(incremental.changedBlocks).toBe(points[1]!.changedChunks);
		expect(incremental.changedBlocks).toBe(changed.chunks);
		expect(incremental.changedBytes).toBe(changed.bytes);
		expect(incremental.changedBytes).toBeGreaterThan(0);
		expect(incremental.usedBytes).toBeGreaterThan(incremental.changedBytes);
		expect(incremental.churn).toBeCloseTo(incremental.changedBytes / incremental.usedBytes, 10);
		expect(incremental.churn).toBeGreaterThan(0);
	});

	it('shows the selected point\'s database size and server version in the console', async () => {
		const session = `strata-pg-points-${process.pid}`;
		tmux(session, `node ${cliEntry} --repo ${repo}`, {columns: 100, rows: 30});
		try {
			await waitForScreen(session, /Storage cost/);
			// The churn pane shows the newest point's churn, not 0.
			const churn = (JSON.parse(await cli.run(['churn', 'shop', '--json'])) as {points: Array<{churn: number}>}).points.at(-1)!.churn;
			expect(churn).toBeGreaterThan(0.0005);
			await waitForScreen(session, new RegExp(`shop +${(churn * 100).toFixed(1).replace('.', '\\.')}%`));
			// Storage cost pane, zoomed, then the only item's points; the first point is selected, j moves to the next.
			sendKeys(session, '4', 'Enter', 'Enter');
			const [full, incremental] = points as [(typeof points)[0], (typeof points)[0]];
			const first = await waitForScreen(session, new RegExp(`rp${full.id} full: PostgreSQL`));
			expect(first).toContain(`PostgreSQL ${full.serverVersion.split(' ')[0]}, database ${shortBytes(full.databaseBytes)}`);
			sendKeys(session, 'j');
			const second = await waitForScreen(session, new RegExp(`rp${incremental.id} on rp${full.id}: PostgreSQL`));
			expect(second).toContain(`PostgreSQL ${incremental.serverVersion.split(' ')[0]}, database ${shortBytes(incremental.databaseBytes)}`);
			expect(second).toContain(`${incremental.changedChunks} chunks changed`);
		} finally {
			killSession(session);
		}
	});

	it('restores each point into a new database with the same dump as the source at capture', async () => {
		for (const [index, point] of points.entries()) {
			const target = databaseName('restored');
			await cli.run(['restore', 'shop', String(point.id), '--to-db', target]);
			expect(await comparableDump(target), `rp${point.id}`).toBe(dumps[index]);
		}
	});

	it('refuses a second restore onto the non-empty database without --force and leaves it unchanged', async () => {
		const target = databaseName('twice');
		await cli.run(['restore', 'shop', String(points[0]!.id), '--to-db', target]);
		const before = await comparableDump(target);
		const refused = await runStrata(['--repo', repo, 'restore', 'shop', String(points[1]!.id), '--to-db', target]);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr.trim().split('\n'), refused.stderr).toHaveLength(1);
		expect(refused.stderr).toMatch(/^strata: database ".*" exists and is not empty\. .*--force/);
		expect(await comparableDump(target)).toBe(before);
		await cli.run(['restore', 'shop', String(points[1]!.id), '--to-db', target, '--force']);
		expect(await comparableDump(target)).toBe(dumps[1]);
	});

	it('restores one table into an empty database', async () => {
		const target = databaseName('onetable');
		await cli.run(['restore', 'shop', String(points[1]!.id), '--to-db', target, '--table', 'public.pgbench_branches']);
		expect(await sql(target, "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'")).toBe('pgbench_branches');
		expect(await sql(target, 'SELECT count(*) FROM pgbench_branches')).toBe('5');
		expect(await sql(target, 'SELECT sum(bbalance) FROM pgbench_branches')).toBe(await sql(source, 'SELECT sum(bbalance) FROM pgbench_branches'));
	});

	it('writes the reassembled dump to a file that pg_restore reads', async () => {
		const file = join(repo, '..', 'dump.custom');
		await cli.run(['restore', 'shop', String(points[1]!.id), '--to-file', file]);
		const {stdout} = await execa(bin('pg_restore'), ['--list', file]);
		expect(stdout).toMatch(/TABLE DATA public pgbench_accounts/);
	});

	it('fails a backup of a database that does not exist with pg_dump\'s error naming it, and no point', async () => {
		const missing = databaseName('nosuch');
		await cli.run(['item', 'add', 'ghost', '--postgres', missing]);
		const result = await runStrata(['--repo', repo, 'backup', 'ghost'], {env: pgEnv()});
		expect(result.exitCode).toBe(1);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toContain(`database "${missing}" does not exist`);
		expect(JSON.parse(await cli.run(['points', 'ghost', '--json']))).toEqual([]);
		const jobs = JSON.parse(await cli.run(['jobs', '--json'])) as Array<{item: string; status: string; error: string}>;
		expect(jobs.find(job => job.item === 'ghost')).toMatchObject({status: 'failed', error: expect.stringContaining(missing)});
	});

	it('verifies the dump chunks, and expires a dump point by handing its chunks to the next one', async () => {
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
		const {PGHOST, PGPORT} = pgSandbox();
		await cli.run(['item', 'add', 'shop2', '--postgres', source, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', 'postgres']);
		const first = JSON.parse(await cli.run(['backup', 'shop2', '--json', '--retain-days', '1'], '2026-05-01T00:00:00Z')) as {id: number};
		const second = JSON.parse(await cli.run(['backup', 'shop2', '--json', '--retain-days', '30'], '2026-05-01T01:00:00Z')) as {id: number; ownedChunks: number};
		// At most the dump's header (it carries the dump time, to the second) differs between two dumps of an unchanged database.
		expect(second.ownedChunks).toBeLessThanOrEqual(1);
		const dryRun = JSON.parse(await cli.run(['expire', '--dry-run', '--json'], '2026-05-03T00:00:00Z')) as {expired: Array<{id: number; freesBytes: number}>};
		expect(dryRun.expired.map(point => point.id)).toEqual([first.id]);
		expect(dryRun.expired[0]!.freesBytes).toBeLessThan(8 * 1024);
		await cli.run(['expire'], '2026-05-03T00:00:00Z');
		const rows = JSON.parse(await cli.run(['points', 'shop2', '--json'])) as Array<{id: number; type: string; ownedChunks: number}>;
		expect(rows.map(row => [row.id, row.type])).toEqual([[second.id, 'full']]);
		expect(rows[0]!.ownedChunks).toBeGreaterThan(1000);
		const target = databaseName('afterexpiry');
		await cli.run(['restore', 'shop2', String(second.id), '--to-db', target]);
		expect(await comparableDump(target)).toBe(dumps[1]);
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);
	});

	it('computes the churn of dump points recorded before Strata kept it where the catalog can tell it, and shows the rest as unknown', async () => {
		type Churn = {points: Array<{id: number; changedBytes: number | null; churn: number | null}>};
		const recorded = JSON.parse(await cli.run(['churn', 'shop', '--json'])) as Churn;
		// Given a copy of the repository as an older Strata left it: no changed bytes in the dump points' meta
		const copy = join(makeTempDir(), 'repo');
		cpSync(repo, copy, {recursive: true});
		const db = new Database(join(copy, 'catalog.db'));
		db.exec("UPDATE recovery_points SET meta = json_remove(meta, '$.changedBytes')");
		// When the migration that fills them in runs
		db.exec(migrations.find(step => step.includes("'$.changedBytes'"))!);
		db.close();
		// Then the item whose points are all there gets the bytes its backups recorded
		const copied = strataFor(copy);
		expect(JSON.parse(await copied.run(['churn', 'shop', '--json']))).toEqual(recorded);
		// And the point whose previous point expired (what it was compared with is gone) is unknown, not 0
		const [merged] = (JSON.parse(await copied.run(['churn', 'shop2', '--json'])) as Churn).points;
		expect(merged).toMatchObject({changedBytes: null, churn: null});
		expect(await copied.run(['churn', 'shop2'])).toMatch(/full .* unknown +unknown/);
	});
});

describe('PostgreSQL secrets', () => {
	it('never writes a password used through PGPASSFILE into the catalog, the job log, process titles or any output', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const password = `Pw-${process.pid}-${Date.now()}-secret`;
		const database = databaseName('secret');
		await sql('postgres', `DROP ROLE IF EXISTS strata_pw`).catch(() => undefined);
		await sql('postgres', `CREATE ROLE strata_pw LOGIN SUPERUSER PASSWORD '${password}'`);
		await sql('postgres', `CREATE DATABASE ${database} OWNER strata_pw`);
		// Big enough that pg_dump runs for a while, so the process-title scan below sees it.
		await sql(database, "CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 200000) g");
		const passfile = join(dir, 'pgpass');
		const {PGHOST, PGPORT} = pgSandbox();
		writeFileSync(passfile, `${PGHOST}:${PGPORT}:*:strata_pw:${password}\n`, {mode: 0o600});
		const env = {PGHOST, PGPORT, PGUSER: 'strata_pw', PGPASSFILE: passfile};
		const outputs: string[] = [];
		const run = async (args: string[]) => {
			const result = await runStrata(['--repo', repo, ...args], {env});
			outputs.push(result.stdout, result.stderr);
			expect(result.exitCode, result.stderr).toBe(0);
		};

		await run(['init']);
		await run(['item', 'add', 'secret', '--postgres', database, '--pg-user', 'strata_pw']);
		// Process titles: every process's command line is read while a backup runs, and pg_dump must be among them
		// (else the scan proves nothing).
		const titles = new Set<string>();
		let scanning = true;
		const scan = (async () => {
			while (scanning) {
				for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
					try {
						titles.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
					} catch {}
				}

				await sleep(2);
			}
		})();
		await run(['backup', 'secret']);
		scanning = false;
		await scan;
		expect([...titles].some(title => title.includes('pg_dump') && title.includes(database)), 'pg_dump was never seen running').toBe(true);
		outputs.push(...titles);
		await run(['backup', 'secret', '--json']);
		await run(['points', 'secret', '--json']);
		await run(['jobs', '--json']);
		await run(['restore', 'secret', '1', '--to-db', databaseName('secretcopy')]);
		// A failing run prints an error: it must not carry the password either.
		const failing = await runStrata(['--repo', repo, 'restore', 'secret', '1', '--to-db', database], {env});
		outputs.push(failing.stdout, failing.stderr);
		expect(failing.exitCode).toBe(1);
		// Without the password file the backup fails, and its error holds no password.
		const denied = await runStrata(['--repo', repo, 'backup', 'secret'], {env: {PGHOST, PGPORT, PGUSER: 'strata_pw', PGPASSFILE: join(dir, 'none')}});
		outputs.push(denied.stdout, denied.stderr);
		expect(denied.exitCode).toBe(1);

		// The console's frames (the real binary in tmux, Jobs and Storage cost panes, a job's details) show no password either.
		const session = `strata-secret-${process.pid}`;
		const envArgs = Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' ');
		tmux(session, `env ${envArgs} node ${cliEntry} --repo ${repo}`, {columns: 120, rows: 40});
		try {
			outputs.push(await waitForScreen(session, /Storage cost/));
			sendKeys(session, '2', 'Enter', 'Enter');
			outputs.push(await waitForScreen(session, /│ Job +│/));
		} finally {
			killSession(session);
		}

		for (const output of outputs) expect(output).not.toContain(password);
		for (const name of readdirSync(repo)) {
			if (name.startsWith('catalog.db')) expect(readFileSync(join(repo, name)).includes(password), name).toBe(false);
		}

		const db = new Database(join(repo, 'catalog.db'), {readonly: true});
		const rows = JSON.stringify([db.prepare('SELECT * FROM jobs').all(), db.prepare('SELECT * FROM items').all(), db.prepare('SELECT * FROM meta').all()]);
		db.close();
		expect(rows).not.toContain(password);
		expect(rows).toContain('strata_pw');
	});
});
