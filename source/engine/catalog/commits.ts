/**
 * The commit counter: how a lost WAL is noticed. Every transaction that adds or removes data (a point's commit, a
 * merge, gc's) counts one in the catalog's meta table, and after it commits the count is also written to a small
 * side file beside the catalog (`catalog.commits`, replaced by a rename). A catalog whose count is behind the side
 * file's lost transactions it had committed: its `-wal` was deleted or replaced after an unclean stop.
 */
import {readFileSync} from 'node:fs';
import {type CatalogHandle, connectionOf} from './connection.js';

export const commitsFileName = 'catalog.commits';

/** Counts one data-changing commit; call inside the transaction it counts. */
export function countCommit(catalog: CatalogHandle): void {
	const db = connectionOf(catalog);
	db.prepare("INSERT INTO meta (key, value) VALUES ('commits', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1").run();
}

/** The number of data-changing commits the catalog holds. */
export function catalogCommits(catalog: CatalogHandle): number {
	const db = connectionOf(catalog);
	const value = db.prepare("SELECT value FROM meta WHERE key = 'commits'").pluck().get() as string | number | undefined;
	return Number(value ?? 0);
}

/** The count last written to the side file (0 when there is none: a repository older than the counter). */
export function recordedCommits(path: string): number {
	try {
		const value = Number(readFileSync(path, 'utf8').trim());
		return Number.isSafeInteger(value) && value > 0 ? value : 0;
	} catch {
		return 0;
	}
}
