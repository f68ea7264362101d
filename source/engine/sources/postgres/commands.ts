/**
 * The external PostgreSQL commands Strata runs, one function each, with argument arrays and named timeouts.
 * Failures become ExternalError with the program's own first error line (never a password: none is ever passed).
 */
import {execa, type ResultPromise} from 'execa';
import {ExternalError} from '../../errors.js';
import {clientProgram} from './connection.js';

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
