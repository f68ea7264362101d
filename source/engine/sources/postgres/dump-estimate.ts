/**
 * How big pg_dump's output will be, estimated from the database before the dump ends, so a backup's progress has a
 * total to move towards (corrected to the real size when the dump ends).
 *
 * A table's COPY text is about its row count times its columns' average widths plus one separator each (pg_stats,
 * kept by ANALYZE); a table never analyzed counts three quarters of its heap (pg_table_size). Measured against
 * `pg_dump -Fc -Z0` (the dump a backup reads), PostgreSQL 15:
 *   pgbench scale  1: estimate  10.1 MB, dump   9.99 MB (+1.1%); heap 13.5 MB (0.74 of it is dumped)
 *   pgbench scale 10: estimate 101.2 MB, dump 101.4 MB (-0.2%, after 10 s of pgbench traffic); heap 134 MB (0.75)
 *   pgbench scale 30: estimate 303.0 MB, dump 307.0 MB (-1.3%); heap 403 MB (0.76)
 *   md5 text, int, timestamptz (500k rows): analyzed 24.0 MB, unanalyzed 28.7 MB, dump 37.4 MB (-36%, -23%):
 *   a timestamp is 8 bytes stored but 29 as text.
 * So the total is an estimate, never a promise: the bar may slow near its end or jump to 100% when the dump ends.
 */
import type {JobProgress} from '../../model/index.js';
import {psqlQuery} from './commands.js';

// One row per user table; indexes are dumped as definitions only, so they are left out.
const estimateSql = `
SELECT coalesce(round(sum(CASE
	WHEN c.reltuples >= 0 AND s.width IS NOT NULL THEN c.reltuples * (s.width + s.columns)
	ELSE pg_table_size(c.oid) * 0.75 END)), 0)::bigint
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN (SELECT schemaname, tablename, sum(avg_width) AS width, count(*) AS columns FROM pg_stats GROUP BY 1, 2) s
	ON s.schemaname = n.nspname AND s.tablename = c.relname
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;

/** The estimated size of the database's dump in bytes, or undefined when the database cannot be asked. */
export async function estimateDumpBytes(env: NodeJS.ProcessEnv, database: string): Promise<number | undefined> {
	try {
		const bytes = Number(await psqlQuery(env, database, estimateSql));
		return Number.isFinite(bytes) ? bytes : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Progress of a dump against its estimated size: `add` as bytes arrive, `finish` with the real size once pg_dump
 * ends. Until the estimate arrives the total is 0 (no share shown); a dump that outgrows it shows 99%, never 100%.
 */
export function dumpProgress(estimate: Promise<number | undefined>, onProgress: ((progress: JobProgress) => void) | undefined) {
	let estimatedBytes: number | undefined;
	void estimate.then(bytes => (estimatedBytes = bytes));
	// The rate is timed from the first bytes: pg_dump's connection and schema queries before them would make the
	// first ETAs several times too long.
	let started: number | undefined;
	let doneBytes = 0;
	const report = (totalBytes: number, phase: string) => {
		started ??= Date.now();
		const seconds = (Date.now() - started) / 1000;
		const bytesPerSecond = seconds > 0 ? doneBytes / seconds : 0;
		const eta = bytesPerSecond > 0 && totalBytes > 0 ? {etaSeconds: Math.max(0, (totalBytes - doneBytes) / bytesPerSecond)} : {};
		onProgress?.({doneBytes, totalBytes, bytesPerSecond, ...eta, phase});
	};

	return {
		add(bytes: number) {
			doneBytes += bytes;
			report(estimatedBytes === undefined ? 0 : Math.max(estimatedBytes, Math.ceil(doneBytes / 0.99)), 'dumping');
		},
		/** The dump ended: its real size is the total. */
		finish() {
			report(doneBytes, 'committing');
		},
	};
}
