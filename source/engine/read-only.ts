/**
 * A repository this process cannot write (read-only mount, no write permission, immutable files), and a catalog that
 * lost commits: how each is found, and the one-line refusals writers give.
 */
import {accessSync, closeSync, constants, openSync} from 'node:fs';
import {RuntimeError} from './errors.js';

/** Why this process cannot write the repository: shown in the note on stderr and in every writer's refusal. */
export type ReadOnlyCause = {code: 'EROFS' | 'EACCES' | 'EPERM' | 'REQUESTED'; reason: string};

/** Data-changing commits the side file saw and the catalog lacks (its -wal was lost after an unclean stop). */
export type LostCommits = {catalog: number; recorded: number};

/**
 * Why this process cannot write the repository at `target`, or undefined when it can. Asked of the folder (the lock,
 * packs and the catalog's -shm are made there) and of the catalog file (an immutable file refuses even root).
 */
export function writeBlocker(target: string, catalog: string): ReadOnlyCause | undefined {
	try {
		accessSync(target, constants.W_OK);
		closeSync(openSync(catalog, 'r+'));
		return undefined;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EROFS') return {code, reason: 'is on a read-only filesystem'};
		if (code === 'EACCES') return {code, reason: 'is not writable by this user'};
		if (code === 'EPERM') return {code, reason: 'is immutable (its files may not be changed)'};
		return undefined; // A missing catalog and the like: the ordinary open says what is wrong.
	}
}

/** The refusal of a writer on a repository this process cannot write. */
export function readOnlyError(path: string, cause: ReadOnlyCause, action: string): RuntimeError {
	return new RuntimeError('REPO_READ_ONLY', `cannot ${action}: the repository at ${path} ${cause.reason}`, {
		hint: cause.code === 'EACCES'
			? 'Run it as the user who owns the repository; reading commands (points, restore, verify) work as they are'
			: 'Remount it read-write or copy it to writable storage; reading commands (points, restore, verify) work as they are',
	});
}

/** The refusal of a writer on a catalog that lost commits. */
export function lostCommitsError(path: string, lost: LostCommits, action: string): RuntimeError {
	return new RuntimeError('CATALOG_LOST_COMMITS', `cannot ${action}: the catalog at ${path} lacks ${lost.recorded - lost.catalog} committed change(s) it once held (catalog.db-wal was lost or replaced after an unclean stop), so recent recovery points may be missing`, {
		hint: 'Restore catalog.db and catalog.db-wal together from a copy of the repository; or accept the loss with `strata gc --force`, which deletes the data of the lost points',
	});
}
