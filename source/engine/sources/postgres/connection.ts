/**
 * How Strata reaches PostgreSQL: libpq's own mechanisms only. The item's host, port, user and service become
 * PGHOST, PGPORT, PGUSER and PGSERVICE for the child process; everything else (PGPASSFILE, service files, PGPASSWORD
 * from the caller's environment) is inherited untouched. A password never appears in an argument, the catalog or a log.
 */
import {UserError} from '../../errors.js';
import type {PostgresSettings} from '../../model/index.js';

/** The environment for pg_dump, psql and pg_restore run for this item. */
export function libpqEnvironment(settings: PostgresSettings, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...base};
	if (settings.host !== undefined) env['PGHOST'] = settings.host;
	if (settings.port !== undefined) env['PGPORT'] = String(settings.port);
	if (settings.user !== undefined) env['PGUSER'] = settings.user;
	if (settings.service !== undefined) env['PGSERVICE'] = settings.service;
	// Never prompt: with no terminal a prompt would hang the job.
	env['PGCONNECT_TIMEOUT'] ??= '10';
	return env;
}

/**
 * Refuses a database "name" that libpq would read as a connection string (it contains `=` or starts with a
 * postgres:// URI): one could carry a password into the catalog, a job row or a process's arguments. The message
 * never repeats the value, since it may hold that password.
 */
export function assertPlainDatabaseName(name: string, what: string): string {
	if (name.includes('=') || /^postgres(ql)?:\/\//i.test(name)) {
		throw new UserError('DATABASE_NOT_A_NAME', `${what} must be a plain database name, not a connection string or URI`, {
			hint: 'Give host, port and user with --pg-host, --pg-port and --pg-user (or PGHOST, PGPORT, PGUSER), and passwords only through PGPASSFILE or a service file',
		});
	}

	return name;
}

/** The path of a PostgreSQL client program: STRATA_PG_BIN/<name> when set, else <name> from PATH. */
export function clientProgram(name: 'pg_dump' | 'pg_restore' | 'psql', env: NodeJS.ProcessEnv = process.env): string {
	const folder = env['STRATA_PG_BIN'];
	return folder ? `${folder.replace(/\/$/, '')}/${name}` : name;
}
