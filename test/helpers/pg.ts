/** The throwaway PostgreSQL cluster that test/global-setup.ts starts for the whole run. */
import {inject} from 'vitest';

/** What scripts/pg-sandbox printed: libpq's connection variables, the data folder and the server binaries. */
export type PgSandbox = {
	PGHOST: string;
	PGPORT: string;
	PGUSER: string;
	PGDATA: string;
	PGSANDBOX: string;
	PGBIN: string;
};

declare module 'vitest' {
	export interface ProvidedContext {
		pg: PgSandbox;
	}
}

/** The sandbox's settings; use inside a test file (not in global setup). */
export function pgSandbox(): PgSandbox {
	return inject('pg');
}

/** Environment for a client (psql, pg_dump, strata) that should reach the sandbox through libpq's variables. */
export function pgEnv(): Record<string, string> {
	const {PGHOST, PGPORT, PGUSER} = pgSandbox();
	return {PGHOST, PGPORT, PGUSER, PGDATABASE: 'postgres'};
}
