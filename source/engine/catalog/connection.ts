/**
 * The catalog's connection as callers hold it. Every catalog function takes a `CatalogHandle`: the Repository (or
 * anything with its `db`), so code above the catalog never reaches for the SQLite handle itself, or a bare
 * connection where only one exists (an in-memory copy for a what-if, a catalog being opened or migrated).
 */
import type {Database} from 'better-sqlite3';

/** A catalog connection, or what holds one (the Repository): what every catalog function takes. */
export type CatalogHandle = Database | {readonly db: Database};

/** The SQLite connection behind a handle: for catalog/ files only. */
export function connectionOf(catalog: CatalogHandle): Database {
	return 'db' in catalog ? catalog.db : catalog;
}

/**
 * Runs `body` in one catalog transaction and returns what it returns; a throw rolls everything back. Writers take the
 * write lock at BEGIN (BEGIN IMMEDIATE), so two writers never deadlock upgrading a read; `deferred` is for a body that
 * may only read, or that must keep the plain BEGIN it always had.
 */
export function inTransaction<T>(catalog: CatalogHandle, body: () => T, options: {deferred?: boolean} = {}): T {
	const run = connectionOf(catalog).transaction(body);
	return options.deferred ? run() : run.immediate();
}

/** A number that changes whenever another connection commits to the catalog (PRAGMA data_version). */
export function dataVersion(catalog: CatalogHandle): number {
	return connectionOf(catalog).pragma('data_version', {simple: true}) as number;
}
