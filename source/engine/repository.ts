/**
 * The repository: a folder holding `strata.json` (format version), the SQLite catalog, the pack store and the
 * lock files (locks/). The engine's front door: open one here and pass it to every operation.
 */
import {randomUUID} from 'node:crypto';
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, join, resolve, sep} from 'node:path';
import type {Database as SqliteDatabase} from 'better-sqlite3';
import {catalogCommits, commitsFileName, recordedCommits} from './catalog/commits.js';
import {catalogVersion, holdsObjects, migrate, schemaVersion} from './catalog/migrations.js';
import {openCatalog, openCatalogReadOnly, removeCatalogCopy} from './catalog/open.js';
import {now} from './clock.js';
import {RuntimeError, UserError} from './errors.js';
import type {Lock, LockOptions} from './lock.js';
import {type LostCommits, lostCommitsError, type ReadOnlyCause, readOnlyError, writeBlocker} from './read-only.js';
import {lockForDeletionSync} from './repository-locks.js';
import {apparentSizes} from './store/apparent-size.js';
import {writeFileAtomic} from './store/file-writes.js';

/**
 * 3: packs end with an index of their objects and objects carry no header (store/format.ts). 2: objects are named by
 * BLAKE3 (format 1, SHA-256, came only from development builds before the first release).
 */
export const repositoryFormat = 3;
const configName = 'strata.json';
const catalogName = 'catalog.db';
/** How long a catalog write waits for another process's transaction before failing with SQLITE_BUSY. */

export type OpenOptions = {
	/** Open read-only even when the repository is writable (the console, which only reads). */
	readOnly?: boolean;
	/** Open a format-2 repository as it is, for `strata upgrade` (jobs/upgrade.ts) to rewrite its packs. */
	upgrading?: boolean;
};

/** The repository's bytes on disk by kind, as `du -sb` counts them: the catalog (catalog.db, -wal, -shm, side files), the pack files, and the rest (strata.json, locks/, folders). */
export type RepositoryFileBytes = {catalogBytes: number; packBytes: number; otherBytes: number};

export type RepositoryConfig = {
	format: number;
	id: string;
	createdAt: string;
};

/** Where the repository is when neither --repo nor STRATA_REPO names one. */
export function defaultRepositoryPath(env: NodeJS.ProcessEnv = process.env): string {
	const dataHome = env['XDG_DATA_HOME'] && env['XDG_DATA_HOME'] !== '' ? env['XDG_DATA_HOME'] : join(homedir(), '.local', 'share');
	return join(dataHome, 'strata');
}

/** Chooses the repository: the --repo flag, else STRATA_REPO, else the per-user default. */
export function resolveRepositoryPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): {path: string; isDefault: boolean} {
	if (flag !== undefined && flag !== '') return {path: resolve(flag), isDefault: false};
	const fromEnv = env['STRATA_REPO'];
	if (fromEnv !== undefined && fromEnv !== '') return {path: resolve(fromEnv), isDefault: false};
	return {path: defaultRepositoryPath(env), isDefault: true};
}

/**
 * Format 1 (objects named by SHA-256) came only from development builds. One that holds no object yet is simply
 * relabelled; one with objects cannot be read by this build, and says so.
 */
function upgradeFormat(target: string, config: RepositoryConfig, db: SqliteDatabase): RepositoryConfig {
	if (config.format === 2 && holdsObjects(db)) {
		throw new RuntimeError('REPO_UPGRADE_NEEDED', `the repository at ${target} has format 2, whose packs this Strata reads only to upgrade them`, {
			hint: `Run \`strata --repo ${target} upgrade\` once (it rewrites the packs in format 3), then run this again`,
		});
	}

	if (holdsObjects(db)) {
		throw new RuntimeError('REPO_TOO_OLD', `the repository at ${target} has format ${config.format}, from a development build of Strata that named objects by SHA-256`, {
			hint: 'Create a new repository with `strata init` and back up again',
		});
	}

	const upgraded = {...config, format: repositoryFormat};
	writeFileAtomic(join(target, configName), `${JSON.stringify(upgraded, null, 2)}\n`);
	return upgraded;
}

export class Repository {
	readonly path: string;
	readonly config: RepositoryConfig;
	readonly db: SqliteDatabase;
	/** Set when this process cannot (or chose not to) write the repository: nothing may be recorded then. */
	readonly readOnly: ReadOnlyCause | undefined;
	/** Set when the catalog lacks data-changing commits it once had (its -wal was lost): see catalog/commits.ts. */
	readonly lostCommits: LostCommits | undefined;
	private readonly catalogCopy: string | undefined;
	/** The inode of catalog.db and of its -wal and -shm, as first seen while this connection was open. */
	private readonly catalogInodes = new Map<string, number>();

	private constructor(path: string, config: RepositoryConfig, db: SqliteDatabase, state: {readOnly?: ReadOnlyCause | undefined; lostCommits?: LostCommits | undefined; catalogCopy?: string | undefined} = {}) {
		this.path = path;
		this.config = config;
		this.db = db;
		this.readOnly = state.readOnly;
		this.lostCommits = state.lostCommits;
		this.catalogCopy = state.catalogCopy;
		this.catalogReplaced();
	}

	/** Creates a new repository at `path` (which must not exist, or be an empty folder) and opens it. */
	static init(path: string): Repository {
		const target = resolve(path);
		if (existsSync(target)) {
			const stat = statSync(target);
			if (!stat.isDirectory()) {
				throw new UserError('REPO_NOT_DIRECTORY', `${target} exists and is not a folder`, {hint: 'Choose another --repo path'});
			}

			if (existsSync(join(target, configName))) {
				throw new UserError('REPO_EXISTS', `${target} is already a Strata repository`, {hint: 'Use it as it is, or choose another --repo path'});
			}

			if (readdirSync(target).length > 0) {
				throw new UserError('REPO_NOT_EMPTY', `${target} is a folder that is not empty`, {hint: 'Choose an empty or new folder for the repository'});
			}
		}

		// A repository inside another would have its packs taken for the outer one's orphans, and back up into itself.
		for (let folder = dirname(target); ; folder = dirname(folder)) {
			if (existsSync(join(folder, configName))) {
				throw new UserError('REPO_INSIDE_REPO', `${target} is inside the Strata repository ${folder}`, {hint: 'Choose a --repo path outside any repository'});
			}

			if (dirname(folder) === folder) break;
		}

		mkdirSync(target, {recursive: true, mode: 0o700});
		// An existing empty folder would keep its mode (0777 from a careless mkdir), and the packs hold every backed-up byte.
		chmodSync(target, 0o700);
		mkdirSync(join(target, 'packs'), {mode: 0o700});
		mkdirSync(join(target, 'tmp'), {mode: 0o700});
		mkdirSync(join(target, 'locks'), {mode: 0o700});
		const db = openCatalog(join(target, catalogName), true);
		migrate(db);
		db.close();
		const config: RepositoryConfig = {format: repositoryFormat, id: randomUUID(), createdAt: now().toISOString()};
		// The config file is written last: a folder without it is an unfinished init, not a repository.
		writeFileAtomic(join(target, configName), `${JSON.stringify(config, null, 2)}\n`);
		return Repository.open(target);
	}

	/**
	 * Opens an existing repository, upgrading its catalog if it is older than this build. One this process cannot
	 * write opens read-only (see `readOnly`); so does any with `{readOnly: true}`.
	 */
	static open(path: string, options: OpenOptions = {}): Repository {
		const target = resolve(path);
		if (!existsSync(target)) {
			throw new UserError('REPO_MISSING', `no repository at ${target}`, {hint: `Create one with \`strata --repo ${target} init\``});
		}

		if (!statSync(target).isDirectory()) {
			throw new UserError('REPO_NOT_DIRECTORY', `${target} is a file, not a Strata repository`, {hint: 'Point --repo or STRATA_REPO at a repository folder'});
		}

		const configPath = join(target, configName);
		if (!existsSync(configPath)) {
			throw new UserError('NOT_A_REPO', `${target} is not a Strata repository (no ${configName})`, {
				hint: `Point --repo at a repository, or create one with \`strata --repo PATH init\``,
			});
		}

		let config: RepositoryConfig;
		try {
			config = JSON.parse(readFileSync(configPath, 'utf8')) as RepositoryConfig;
		} catch (error) {
			throw new RuntimeError('REPO_CONFIG_DAMAGED', `${configPath} is not valid JSON`, {hint: 'Restore that file from a copy of the repository', cause: error});
		}

		if (typeof config.format !== 'number' || config.format > repositoryFormat) {
			throw new RuntimeError('REPO_TOO_NEW', `the repository at ${target} has format ${String(config.format)}, newer than this Strata understands (${repositoryFormat})`, {
				hint: 'Upgrade Strata to open it',
			});
		}

		const catalog = join(target, catalogName);
		const readOnly = writeBlocker(target, catalog) ?? (options.readOnly ? {code: 'REQUESTED' as const, reason: 'was opened read-only'} : undefined);
		const opened = readOnly ? openCatalogReadOnly(catalog) : {db: openCatalog(catalog), copy: undefined};
		const {db} = opened;
		try {
			if (readOnly) {
				if (schemaVersion(db) < catalogVersion || config.format < repositoryFormat) {
					throw new RuntimeError('REPO_READ_ONLY', `the repository at ${target} ${readOnly.reason} and its catalog is older than this Strata, which must upgrade it before reading`, {
						hint: 'Copy the repository to writable storage and open it there, or read it with the Strata that wrote it',
					});
				}
			}

			migrate(db);
			if (config.format < repositoryFormat && !(options.upgrading && config.format === 2)) config = upgradeFormat(target, config, db);
		} catch (error) {
			db.close();
			removeCatalogCopy(opened.copy);
			throw error;
		}

		const found = catalogCommits(db);
		const recorded = recordedCommits(join(target, commitsFileName));
		const lostCommits = found < recorded ? {catalog: found, recorded} : undefined;
		return new Repository(target, config, db, {readOnly, lostCommits, catalogCopy: opened.copy});
	}

	get packsDir(): string {
		return join(this.path, 'packs');
	}

	get tmpDir(): string {
		return join(this.path, 'tmp');
	}

	get catalogPath(): string {
		return join(this.path, catalogName);
	}

	/** What the repository's files take on disk (apparent sizes, as `du -sb`): for `cost`'s overhead line. */
	fileBytes(): RepositoryFileBytes {
		const sums = apparentSizes(this.path, (path, isFile) => {
			if (!isFile) return 'other';
			if (path.startsWith('catalog.')) return 'catalog'; // catalog.db, its -wal and -shm, catalog.commits
			return path.startsWith(`packs${sep}`) ? 'pack' : 'other';
		});
		return {catalogBytes: sums.get('catalog') ?? 0, packBytes: sums.get('pack') ?? 0, otherBytes: sums.get('other') ?? 0};
	}

	/**
	 * Takes the whole repository, exclusive of every writer: for what deletes data (gc). Backups, expiries and purges
	 * take the narrower locks of repository-locks.ts instead, so writers of different items run side by side.
	 */
	lock(options: LockOptions & {acceptLostCommits?: boolean}): Lock {
		this.guardWrite(options.command, options);
		return lockForDeletionSync(this.path, options);
	}

	/** Refuses a write on a read-only repository, or (unless accepted) on a catalog that lost commits: call before any writer's lock. */
	guardWrite(action: string, options: {acceptLostCommits?: boolean | undefined} = {}): void {
		this.assertWritable(action);
		if (this.lostCommits && !options.acceptLostCommits) throw lostCommitsError(this.path, this.lostCommits, action);
	}

	/** Refuses, naming the cause, when this process cannot write the repository; `action` is what was asked. */
	assertWritable(action: string): void {
		if (this.readOnly) throw readOnlyError(this.path, this.readOnly, action);
	}

	/**
	 * Writes the catalog's commit count to the side file, after a data-changing commit (see catalog/commits.ts).
	 * Never lowers it: a catalog that lost commits keeps saying so until `gc --force` accepts the loss.
	 */
	recordCommit(options: {acceptLoss?: boolean} = {}): void {
		const file = join(this.path, commitsFileName);
		const count = catalogCommits(this.db);
		if (!options.acceptLoss && count <= recordedCommits(file)) return;
		// Replaced by a rename but not fsynced: every failure of this file (lost at a power cut, torn) makes it read lower,
		// which only hides a loss, never invents one; the packs stay safe regardless (gc refuses unaccounted ones).
		// With its two fsyncs it cost 3-11 ms a point.
		const temporary = `${file}.tmp-${process.pid}`;
		writeFileSync(temporary, `${count}\n`, {mode: 0o600});
		renameSync(temporary, file);
	}

	/**
	 * Whether catalog.db, its -wal or its -shm was deleted or replaced since this connection first saw it. While a
	 * connection is open SQLite removes neither, so a change means someone did (a restore of the files, an rm): this
	 * connection then reads a state that is no longer the repository's, and must be closed and opened again.
	 */
	catalogReplaced(): boolean {
		let replaced = false;
		for (const suffix of ['', '-wal', '-shm']) {
			const name = `${this.catalogPath}${suffix}`;
			let inode: number | undefined;
			try {
				inode = statSync(name).ino;
			} catch {
				inode = undefined;
			}

			const seen = this.catalogInodes.get(name);
			if (seen === undefined && inode !== undefined) this.catalogInodes.set(name, inode);
			else if (seen !== undefined && seen !== inode) replaced = true;
		}

		return replaced;
	}

	close(): void {
		if (this.db.open) this.db.close();
		removeCatalogCopy(this.catalogCopy);
	}
}

/**
 * Opens the repository chosen by --repo, STRATA_REPO or the default, for the CLI and the console alike. Only the
 * default one is created on first use (`created` says so, for the caller to tell the user): a path someone typed that
 * does not exist is more likely a typo than a wish for a new, empty repository, so that one is refused.
 */
export function openChosenRepository(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): {repo: Repository; created: boolean} {
	const {path, isDefault} = resolveRepositoryPath(flag, env);
	if (!isDefault || existsSync(path)) return {repo: Repository.open(path), created: false};
	try {
		return {repo: Repository.init(path), created: true};
	} catch (error) {
		// Two first commands at once: the other one created it.
		if (existsSync(join(path, configName))) return {repo: Repository.open(path), created: false};
		throw error;
	}
}
