/**
 * The external PostgreSQL commands Strata runs, one function each, with argument arrays and named timeouts.
 * Failures become ExternalError with the program's own first error line (never a password: none is ever passed).
 */
import {once} from 'node:events';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Writable} from 'node:stream';
import {execa, type ResultPromise} from 'execa';
import {ExternalError} from '../../errors.js';
import {clientProgram} from './connection.js';
import {OuterTransactionFilter} from './outer-transaction-filter.js';

export const queryTimeoutMs = 60_000;

/** The first line of a PostgreSQL client's error output, without the program prefix. */
export function firstErrorLine(stderr: string): string {
	const lines = stderr.split('\n').map(line => line.trim()).filter(Boolean);
	const line = lines.find(text => /error|fatal|failed/i.test(text)) ?? lines[0] ?? 'no error output';
	return line.replace(/^(pg_dump|pg_restore|psql): (error: )?/, '');
}

/** Runs one SQL statement with psql against a database and returns its unaligned output. */
export async function psqlQuery(env: NodeJS.ProcessEnv, database: string, sql: string): Promise<string> {
	const program = clientProgram('psql', env);
	const args = ['-X', '-A', '-t', '-w', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql];
	const result = await execa(program, args, {env, extendEnv: false, reject: false, timeout: queryTimeoutMs, stdin: 'ignore'});
	if (result.failed) {
		throw new ExternalError('PSQL_FAILED', `psql failed: ${firstErrorLine(String(result.stderr))}`, {command: program, args, exitCode: result.exitCode, stderr: String(result.stderr)}, {
			hint: 'Check the connection settings (PGHOST, PGPORT, PGUSER, PGPASSFILE) and that the database exists',
		});
	}

	return String(result.stdout).trim();
}

/** Quotes an SQL identifier. */
export function quoteIdentifier(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes an SQL string literal. */
export function quoteLiteral(text: string): string {
	return `'${text.replace(/'/g, "''")}'`;
}

/** Starts pg_dump in custom format without compression (so chunks deduplicate), streaming to stdout. */
export function startPgDump(env: NodeJS.ProcessEnv, database: string): {process: ResultPromise<{buffer: false; reject: false}>; command: string; args: string[]} {
	const command = clientProgram('pg_dump', env);
	const args = ['--format=custom', '--compress=0', '--no-password', '--dbname', database];
	const process = execa(command, args, {env, extendEnv: false, buffer: false, reject: false, stdin: 'ignore', stderr: 'pipe'}) as unknown as ResultPromise<{buffer: false; reject: false}>;
	return {process, command, args};
}

/** Writes a dump into a child's input; stops (rejects) when the signal fires. */
export type DumpFeed = (input: Writable, signal: AbortSignal) => Promise<void>;

/** A write to a child that stopped reading: its own exit code says whether that was a failure. */
function isBrokenPipe(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/** Runs pg_restore on the dump's header only (it stops reading after the table of contents) and returns its output. */
async function readDumpHeader(env: NodeJS.ProcessEnv, args: string[], feed: DumpFeed): Promise<string> {
	const command = clientProgram('pg_restore', env);
	const child = execa(command, args, {env, extendEnv: false, reject: false, timeout: queryTimeoutMs, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe'});
	child.stdin!.on('error', () => undefined);
	const stop = new AbortController();
	void child.finally(() => stop.abort());
	try {
		await feed(child.stdin!, stop.signal);
	} catch (error) {
		// pg_restore ending first (it has read the header) is the normal way this feed stops.
		if (!stop.signal.aborted && !isBrokenPipe(error)) {
			child.kill();
			throw error;
		}
	}

	child.stdin!.end();
	const result = await child;
	if (result.exitCode !== 0) {
		throw new ExternalError('PG_RESTORE_FAILED', `pg_restore could not read the dump: ${firstErrorLine(String(result.stderr))}`, {command, args, exitCode: result.exitCode, stderr: String(result.stderr)});
	}

	return String(result.stdout);
}

/** The table of contents of a custom-format dump (`pg_restore --list`). */
export async function listDump(env: NodeJS.ProcessEnv, feed: DumpFeed): Promise<string> {
	return readDumpHeader(env, ['--list'], feed);
}

/** The dump's definitions as SQL, each after a comment naming its entry and the entries it depends on. */
export async function readDumpSchema(env: NodeJS.ProcessEnv, feed: DumpFeed): Promise<string> {
	return readDumpHeader(env, ['--schema-only', '--verbose', '--file=-'], feed);
}

/** What of the dump to restore: entries by id (pg_restore --use-list), and SQL to run after them in the same transaction. */
export type RestoreSelection = {ids?: number[] | undefined; afterSql?: string | undefined};

/**
 * Feeds a custom-format dump through `pg_restore --file=-` into `psql` (ON_ERROR_STOP, one transaction). psql's input
 * ends, so its transaction commits, only after the whole dump went through pg_restore cleanly (and the selection's
 * SQL after it); on any failure psql is killed instead and the server rolls the transaction back. Either program
 * stopping early stops the other, so neither is left blocked on a full pipe.
 */
export async function restoreDump(env: NodeJS.ProcessEnv, database: string, selection: RestoreSelection, feed: DumpFeed, signal: AbortSignal | undefined): Promise<void> {
	const listDir = selection.ids ? mkdtempSync(join(tmpdir(), 'strata-restore-')) : undefined;
	try {
		const listFile = listDir ? join(listDir, 'entries.list') : undefined;
		// pg_restore --use-list reads the leading dump id of each line, and restores in the order of the file.
		if (listFile) writeFileSync(listFile, selection.ids!.map(id => `${id};\n`).join(''), {mode: 0o600});
		await pipeRestore(env, database, listFile, selection.afterSql ?? '', feed, signal);
	} finally {
		if (listDir) rmSync(listDir, {recursive: true, force: true});
	}
}

async function pipeRestore(env: NodeJS.ProcessEnv, database: string, listFile: string | undefined, afterSql: string, feed: DumpFeed, signal: AbortSignal | undefined): Promise<void> {
	const restoreCommand = clientProgram('pg_restore', env);
	const restoreArgs = ['--file=-', '--no-owner', '--single-transaction', ...(listFile ? [`--use-list=${listFile}`] : [])];
	const psqlCommand = clientProgram('psql', env);
	const psqlArgs = ['-X', '-q', '-w', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', database];
	const pgRestore = execa(restoreCommand, restoreArgs, {env, extendEnv: false, reject: false, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: {stdout: false}});
	const psql = execa(psqlCommand, psqlArgs, {env, extendEnv: false, reject: false, stdin: 'pipe', stdout: 'ignore', stderr: 'pipe'});
	pgRestore.stdin!.on('error', () => undefined);
	psql.stdin!.on('error', () => undefined);
	const script = new OuterTransactionFilter();
	let scriptError: unknown;
	script.on('error', (error: unknown) => {
		scriptError = error;
	});
	pgRestore.stdout!.pipe(script).pipe(psql.stdin!, {end: false});
	// Whether pg_restore's whole script reached psql: false once the filter fails or is torn down before its end.
	const sqlComplete = new Promise<boolean>(resolve => {
		script.once('end', () => resolve(true));
		script.once('close', () => resolve(false));
	});
	const stop = new AbortController();
	let psqlReleased = false;
	let psqlStoppedItself = false;
	let restoreKilled = false;
	void pgRestore.finally(() => stop.abort());
	void psql.finally(() => {
		if (psqlReleased) return;
		psqlStoppedItself = true;
		stop.abort();
		restoreKilled = true;
		pgRestore.kill();
		// Nothing reads the script any more: drop it, and drain what pg_restore still wrote so its exit is seen.
		script.destroy();
		pgRestore.stdout!.resume();
	});

	let feedError: unknown;
	try {
		await feed(pgRestore.stdin!, signal ? AbortSignal.any([signal, stop.signal]) : stop.signal);
	} catch (error) {
		if (signal?.aborted || (!stop.signal.aborted && !isBrokenPipe(error))) feedError = error;
	}

	pgRestore.stdin!.end();
	const restored = await pgRestore;
	const clean = !feedError && restored.exitCode === 0 && (await sqlComplete);
	psqlReleased = true;
	if (clean) psql.stdin!.end(afterSql);
	else psql.kill('SIGKILL');
	const applied = await psql;
	if (applied.exitCode !== 0 && (clean || psqlStoppedItself)) {
		throw new ExternalError('PSQL_FAILED', `psql failed while restoring into "${database}": ${firstErrorLine(String(applied.stderr))}`, {command: psqlCommand, args: psqlArgs, exitCode: applied.exitCode, stderr: String(applied.stderr)}, {
			hint: 'The restore ran in one transaction and was rolled back',
		});
	}

	if (feedError) throw feedError;
	if (restored.exitCode !== 0 && !restoreKilled) {
		throw new ExternalError('PG_RESTORE_FAILED', `pg_restore failed: ${firstErrorLine(String(restored.stderr))}`, {command: restoreCommand, args: restoreArgs, exitCode: restored.exitCode, stderr: String(restored.stderr)}, {
			hint: 'Nothing was committed; `strata verify --read-data` checks the stored dump',
		});
	}

	if (scriptError) throw scriptError;
}
