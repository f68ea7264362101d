/**
 * A PostgreSQL backup's progress moves: its job row is read while the backup runs, and the total comes from the
 * database's estimated dump size (not from the bytes read so far), corrected to the real size at the end.
 */
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {pgEnv, pgSandbox} from '../helpers/pg.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';

type Progress = {doneBytes: number; totalBytes: number; etaSeconds?: number};
type Row = {status: string; progress: string | null};

const bin = (name: string) => join(pgSandbox().PGBIN, name);

it('a PostgreSQL backup reports a share between 0 and 100% while it runs, then 100% and succeeded', async () => {
	const repo = join(makeTempDir(), 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	const database = `progress_${process.pid}`;
	await execa(bin('createdb'), [database], {env: pgEnv()});
	// Scale 10: a dump of ~100 MB, whose backup takes a few seconds here (progress rows are written once a second).
	await execa(bin('pgbench'), ['-i', '-s', '10', '-q', database], {env: pgEnv()});
	const {PGHOST, PGPORT, PGUSER} = pgSandbox();
	await cli.run(['item', 'add', 'shop', '--postgres', database, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', PGUSER]);

	const backup = runStrata(['--repo', repo, 'backup', 'shop']);
	let finished = false;
	void backup.finally(() => (finished = true));
	const catalog = new Database(join(repo, 'catalog.db'), {readonly: true, fileMustExist: true});
	const seen: Progress[] = [];
	try {
		while (!finished) {
			const row = catalog.prepare("SELECT status, progress FROM jobs WHERE kind = 'backup' ORDER BY id DESC LIMIT 1").get() as Row | undefined;
			if (row?.status === 'running' && row.progress) seen.push(JSON.parse(row.progress) as Progress);
			await sleep(50);
		}

		const result = await backup;
		expect(result.exitCode, result.stderr).toBe(0);
		const final = catalog.prepare("SELECT status, progress FROM jobs WHERE kind = 'backup' ORDER BY id DESC LIMIT 1").get() as Row;
		expect(final.status).toBe('succeeded');
		const last = JSON.parse(final.progress!) as Progress;
		expect(last.doneBytes).toBe(last.totalBytes);
		expect(last.totalBytes).toBeGreaterThan(50 * 1024 * 1024);

		const between = seen.filter(progress => progress.doneBytes > 0 && progress.doneBytes < progress.totalBytes);
		expect(between.length, `progress rows seen: ${JSON.stringify(seen)}`).toBeGreaterThan(0);
		for (const progress of between) {
			// The total is the estimate, not the bytes so far: within a few percent of the real size on pgbench data.
			expect(Math.abs(progress.totalBytes - last.totalBytes) / last.totalBytes).toBeLessThan(0.1);
			// An ETA, once there is a rate to reckon it from, is a few seconds' worth, not hours.
			if (progress.etaSeconds !== undefined) expect(progress.etaSeconds).toBeGreaterThanOrEqual(0);
			if (progress.etaSeconds !== undefined) expect(progress.etaSeconds).toBeLessThan(600);
		}
	} finally {
		catalog.close();
		await execa(bin('dropdb'), [database], {env: pgEnv()});
	}
}, 120_000);
