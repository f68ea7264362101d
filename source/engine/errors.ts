/**
 * Errors the engine throws. Every error has a stable `code` (for scripts and tests),
 * a one-line message saying what went wrong, and a `hint` saying what to do.
 * The CLI prints `strata: <message>. <hint>`; the console shows the same fields.
 */
import {shortenValues} from './text.js';

/**
 * Every code an error may carry: stable, so scripts and tests can match on them (a new one is added here, or the
 * throw does not compile). Codes name what went wrong, not where: ITEM_NOT_FOUND is the same from every command.
 */
export const errorCodes = [
	'BAD_BLOCK_SIZE', 'BAD_DATE', 'BAD_DISK_NAME', 'BAD_NAME', 'BAD_PORT', 'BAD_RETENTION', 'BAD_RP_ID',
	'BAD_SCHEDULE', 'BAD_SETTING', 'BAD_TABLE', 'BAD_TIMEZONE', 'BUG', 'CATALOG_BUSY', 'CATALOG_COPY_FAILED',
	'CATALOG_DAMAGED', 'CATALOG_EXISTS', 'CATALOG_LOST_COMMITS', 'CATALOG_MISSING', 'CATALOG_TOO_NEW', 'CONFIRM_NEEDED',
	'DATABASE_NOT_A_NAME', 'DISK_FULL', 'DISK_NOT_FOUND', 'EXTRA_ARGUMENT', 'FLAG_VALUE', 'GC_BESIDE_OWN_BACKUP',
	'GC_UNACCOUNTED', 'HOOK_FAILED', 'INTERRUPTED', 'ITEM_DELETED', 'ITEM_EXISTS', 'ITEM_HAS_POINTS',
	'ITEM_NOT_DELETED', 'ITEM_NOT_FOUND', 'ITEM_NOT_PROTECTED', 'LOCKED', 'LOCK_HELD_HERE', 'LOCK_STALLED',
	'MISSING_ARGUMENT', 'MISSING_FLAG', 'NAME_TOO_LONG', 'NEWEST_POINT', 'NOT_A_REPO', 'NOT_A_VOLUME', 'NOT_LOCKED',
	'NO_DATABASE', 'NO_RETENTION', 'NO_SCHEDULE', 'NO_TERMINAL', 'NO_VOLUME', 'OBJECT_DAMAGED', 'OBJECT_MISSING',
	'PACK_DAMAGED', 'PERMISSION_DENIED', 'PG_DUMP_FAILED', 'PG_RESTORE_FAILED', 'POINT_PINNED', 'POLICY_EXISTS',
	'POLICY_IN_USE', 'POLICY_NOT_FOUND', 'PSQL_FAILED', 'READ_ONLY_FS', 'REPO_CONFIG_DAMAGED', 'REPO_EXISTS',
	'REPO_INSIDE_REPO', 'REPO_MISSING', 'REPO_NOT_DIRECTORY', 'REPO_NOT_EMPTY', 'REPO_READ_ONLY', 'REPO_TOO_NEW',
	'REBUILD_UNSUPPORTED', 'REPO_TOO_OLD', 'REPO_UPGRADE_NEEDED', 'RP_NOT_FOUND', 'SOURCE_CHANGING', 'SOURCE_IN_USE', 'SOURCE_MISSING', 'SOURCE_NOT_VOLUME',
	'TABLE_NEEDS_OBJECT', 'TABLE_NOT_IN_DUMP', 'TARGET_DB_NOT_EMPTY', 'TARGET_EXISTS', 'TARGET_IN_REPOSITORY',
	'TARGET_IN_USE', 'TARGET_IS_DIRECTORY', 'TARGET_IS_SOURCE', 'TARGET_PARTLY_WRITTEN', 'TARGET_TABLE_EXISTS',
	'TARGET_TOO_SMALL', 'UNKNOWN_COMMAND', 'UNKNOWN_FLAG', 'UNKNOWN_SETTING', 'USAGE',
] as const;

/** A code an error may carry (see errorCodes). */
export type ErrorCode = (typeof errorCodes)[number];

export type StrataErrorOptions = {
	hint?: string;
	cause?: unknown;
};

/** Base class: use a subclass that says whose problem it is. */
export class StrataError extends Error {
	readonly code: ErrorCode;
	readonly hint: string | undefined;

	constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.name = new.target.name;
		this.code = code;
		this.hint = options.hint;
	}
}

/** Something the user can fix: a bad argument, a missing item, a refused restore. */
export class UserError extends StrataError {}

/** A usage mistake on the command line (unknown command or flag): exit code 2. */
export class UsageError extends UserError {}

/** A state of the repository or the machine that blocks the operation (lock held, disk full, damaged data). */
export class RuntimeError extends StrataError {}

/** Which stored object a job found damaged, so the catalog can mark it (and the next backup store it again). */
export type FoundDamage = {hash: Buffer; pack: string; problem: string; packUnreadable: boolean};

/** Damaged data met while reading packs (a restore): carries what was damaged, so the job can mark it. */
export class DamagedDataError extends RuntimeError {
	readonly damage: FoundDamage;

	constructor(code: ErrorCode, message: string, damage: FoundDamage, options: StrataErrorOptions = {}) {
		super(code, message, options);
		this.damage = damage;
	}
}

/** A broken invariant inside Strata: the user should report it. */
export class BugError extends StrataError {
	constructor(message: string, options: StrataErrorOptions = {}) {
		super('BUG', message, {hint: 'This is a bug in Strata; please report it with STRATA_DEBUG=1 output', ...options});
	}
}

/** An external command (pg_dump, psql, a freeze hook) failed. Never carries a password: only the command, its arguments, exit code and the tail of stderr. */
export class ExternalError extends StrataError {
	readonly command: string;
	readonly args: readonly string[];
	readonly exitCode: number | undefined;
	readonly stderrTail: string;

	constructor(
		code: ErrorCode,
		message: string,
		details: {command: string; args: readonly string[]; exitCode?: number | undefined; stderr?: string},
		options: StrataErrorOptions = {},
	) {
		super(code, message, options);
		this.command = details.command;
		this.args = details.args;
		this.exitCode = details.exitCode;
		this.stderrTail = (details.stderr ?? '').split('\n').slice(-20).join('\n');
	}
}

/** Turns anything thrown into a StrataError, keeping known ones as they are. */
export function toStrataError(error: unknown): StrataError {
	if (error instanceof StrataError) return error;
	const nodeError = error as NodeJS.ErrnoException | undefined;
	if (nodeError?.code === 'ENOSPC') {
		return new RuntimeError('DISK_FULL', `no space left on device${nodeError.path ? ` writing ${nodeError.path}` : ''}`, {
			hint: 'Free space on the repository filesystem, then run the command again',
			cause: error,
		});
	}

	if (nodeError?.code === 'EROFS') {
		return new RuntimeError('READ_ONLY_FS', `the filesystem is read-only${nodeError.path ? `: ${nodeError.path}` : ''}`, {
			hint: 'Remount it read-write or choose a writable place; reading a repository there works as it is',
			cause: error,
		});
	}

	if (nodeError?.code === 'EACCES' || nodeError?.code === 'EPERM') {
		return new RuntimeError('PERMISSION_DENIED', `permission denied${nodeError.path ? `: ${nodeError.path}` : ''}`, {
			hint: 'Check the file permissions or run as a user who may read it',
			cause: error,
		});
	}

	const sqliteCode = (error as {code?: string} | undefined)?.code;
	if (sqliteCode === 'SQLITE_NOTADB' || sqliteCode === 'SQLITE_CORRUPT') {
		return new RuntimeError('CATALOG_DAMAGED', `the repository catalog is damaged (${(error as Error).message})`, {
			hint: 'Restore catalog.db from a copy of the repository; `strata verify` tells what else is affected',
			cause: error,
		});
	}

	if (sqliteCode === 'SQLITE_BUSY') {
		return new RuntimeError('CATALOG_BUSY', 'the catalog is busy with another process', {hint: 'Try again in a moment', cause: error});
	}

	if (sqliteCode === 'SQLITE_FULL') {
		return new RuntimeError('DISK_FULL', 'no space left on the repository filesystem for the catalog', {hint: 'Free space, then run the command again', cause: error});
	}

	const message = error instanceof Error ? error.message : String(error);
	return new BugError(`unexpected error: ${message}`, {cause: error});
}

/** One line for a terminal: the message, then the hint; long quoted values shortened (the one place that does it). */
export function formatError(error: StrataError): string {
	const message = error.message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
	return shortenValues(error.hint ? `${message}. ${error.hint.replace(/\.$/, '')}.` : `${message}.`);
}
