/**
 * Opening the catalog. A writable repository gets a read-write WAL connection. A repository this process cannot
 * write (read-only mount, no write permission, immutable media) gets a read-only one: in place when SQLite can use
 * the WAL index there, else over a private copy in the temporary folder. SQLite needs to create `catalog.db-shm`
 * beside the catalog to read a WAL database, and better-sqlite3 offers no `immutable=1` (it opens without URI
 * filenames), so a copy is the one way to read such media; copying the `-wal` with it keeps the points an unclean
 * stop left only there.
 */
import {copyFileSync, existsSync, mkdtempSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import type {Database as SqliteDatabase} from 'better-sqlite3';
import {RuntimeError} from '../errors.js';
import {type CatalogHandle, connectionOf} from './connection.js';

/** A catalog connection, and the private copy it reads when it could not read in place (removed on close). */
export type OpenedCatalog = {db: SqliteDatabase; copy: string | undefined};

function missing(path: string, error: unknown): RuntimeError {
	return new RuntimeError('CATALOG_MISSING', `the catalog ${path} is missing or cannot be opened`, {hint: 'Restore catalog.db from a copy of the repository', cause: error});
}

/**
 * How long a connection waits for another's write lock: writers of different items share the catalog, and one's
 * commit of a large backup (BEGIN IMMEDIATE) may hold it for seconds; the next writer waits rather than failing.
 */
export const catalogBusyTimeoutMs = 120_000;

/** Opens the catalog for reading and writing (creating it for `init`). */
export function openCatalog(path: string, create = false): SqliteDatabase {
	let db: SqliteDatabase;
	try {
		db = new Database(path, {timeout: catalogBusyTimeoutMs, fileMustExist: !create});
	} catch (error) {
		if ((error as {code?: string}).code === 'SQLITE_CANTOPEN') throw missing(path, error);
		throw error;
	}

	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = FULL');
	db.pragma('foreign_keys = ON');
	return db;
}

/** A read-only connection that has read the schema, or undefined when SQLite cannot read the catalog in place. */
function openInPlace(path: string): SqliteDatabase | undefined {
	let db: SqliteDatabase | undefined;
	try {
		db = new Database(path, {readonly: true, fileMustExist: true, timeout: 5000});
		db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
		return db;
	} catch (error) {
		db?.close();
		const code = (error as {code?: string}).code ?? '';
		// No -shm could be made or used (read-only folder or mount): read a copy instead. Anything else is real.
		if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_IOERR_LOCK') return undefined;
		if (!existsSync(path)) throw missing(path, error);
		throw error;
	}
}

type Stamp = string;
function stampOf(path: string): Stamp {
	try {
		const stat = statSync(path);
		return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
	} catch {
		return 'absent';
	}
}

/**
 * Copies catalog.db and its -wal (when there is one) into a private folder, and checks that neither changed while
 * being copied (a writer with permission may be committing meanwhile): a torn pair could mix pages of two states.
 */
function copyCatalog(path: string): string {
	for (let attempt = 0; attempt < 5; attempt++) {
		const before = [stampOf(path), stampOf(`${path}-wal`)];
		const folder = mkdtempSync(join(tmpdir(), 'strata-catalog-'));
		const copy = join(folder, 'catalog.db');
		try {
			copyFileSync(path, copy);
			if (before[1] !== 'absent') copyFileSync(`${path}-wal`, `${copy}-wal`);
		} catch (error) {
			rmSync(folder, {recursive: true, force: true});
			if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(path)) throw missing(path, error);
			throw new RuntimeError('CATALOG_COPY_FAILED', `the repository is read-only and its catalog could not be copied to ${folder} to be read`, {
				hint: 'Free space in the temporary folder (or point TMPDIR at one with room), or copy the repository to writable storage',
				cause: error,
			});
		}

		if (before[0] === stampOf(path) && before[1] === stampOf(`${path}-wal`)) return copy;
		rmSync(folder, {recursive: true, force: true});
	}

	throw new RuntimeError('CATALOG_BUSY', 'the read-only catalog kept changing while it was being read (another user is writing it)', {hint: 'Try again in a moment'});
}

/** Opens the catalog of a repository this process cannot write: read-only, in place or over a private copy. */
export function openCatalogReadOnly(path: string): OpenedCatalog {
	const inPlace = openInPlace(path);
	if (inPlace) return {db: inPlace, copy: undefined};
	const copy = copyCatalog(path);
	try {
		// SQLite reads the copied -wal with it (a read-only connection may make the -shm in the private folder).
		const db = new Database(copy, {readonly: true, fileMustExist: true});
		db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
		return {db, copy};
	} catch (error) {
		removeCatalogCopy(copy);
		throw error;
	}
}

/** Removes the private copy openCatalogReadOnly made, if any. */
export function removeCatalogCopy(copy: string | undefined): void {
	if (copy !== undefined) rmSync(join(copy, '..'), {recursive: true, force: true});
}

/** An in-memory copy of the catalog as it is now, to change freely for a what-if (close it when done). */
export function openInMemoryCopy(catalog: CatalogHandle): SqliteDatabase {
	const image = connectionOf(catalog).serialize();
	// A WAL-mode image says so in its header (bytes 18-19); an in-memory copy must use a rollback journal.
	image[18] = 1;
	image[19] = 1;
	return new Database(image);
}
