/**
 * Restoring a PostgreSQL point: the recipe is reassembled in order, each chunk checked against its hash, and fed to
 * `pg_restore -f -` whose SQL goes to `psql` (ON_ERROR_STOP, one transaction) — or written to a file for the standard
 * tools. Every refusal (a non-empty database without --force, an existing file, a table the dump lacks) happens
 * before anything is touched.
 */
import {createWriteStream, existsSync, renameSync, rmSync, statSync} from 'node:fs';
import {dirname, join, basename, resolve} from 'node:path';
import type {Writable} from 'node:stream';
import {once} from 'node:events';
import {ObjectIndex} from '../../catalog/objects.js';
import {recipeObjectIds} from '../../catalog/recipes.js';
import {UserError} from '../../errors.js';
import {throwIfAborted} from '../../abort.js';
import {formatRecoveryPointId, type PostgresItem, type RecoveryPoint} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {CodecPool, type DecodeResult, fsyncPath} from '../../store/index.js';
import type {RestorePlan, RestoreRunOptions} from '../restore-plan.js';
import {psqlQuery, quoteIdentifier, quoteLiteral, restoreDump} from './commands.js';
import {assertPlainDatabaseName, libpqEnvironment} from './connection.js';
import {missingLargeObjectsWarning, planTableRestore, type TablePlan, unreferencedLargeObjectsSql} from './table-restore.js';
import type {TableName} from './table-selection.js';

/** Where a PostgreSQL point goes: a database (the whole dump or one table) or a file. */
export type PostgresTargets = {
	toDb?: string | undefined;
	toFile?: string | undefined;
	table?: string | undefined;
	force?: boolean | undefined;
};

export type PostgresRestorePlan = RestorePlan & {database?: string; file?: string; table?: TableName; tablePlan?: TablePlan; dropFirst: boolean; exists: boolean};

const maintenanceDatabase = 'postgres';

function parseTable(text: string): TableName {
	const match = /^([^.\s]+)\.([^.\s]+)$/.exec(text);
	if (!match) throw new UserError('BAD_TABLE', `"${text}" is not SCHEMA.TABLE`, {hint: 'Use e.g. --table public.orders'});
	return {schema: match[1]!, name: match[2]!};
}

/** Chunks per decode request (~4 MiB of dump at the ~15.5 KiB average chunk). */
const dumpBatchChunks = 256;

/** Checks the target and decides what the restore will do, before anything is written. */
export async function planPostgresRestore(repo: Repository, item: PostgresItem, point: RecoveryPoint, options: PostgresTargets): Promise<PostgresRestorePlan> {
	const detail = {rpId: point.id, toDb: options.toDb ?? null, toFile: options.toFile ?? null, table: options.table ?? null};
	if ((options.toDb === undefined) === (options.toFile === undefined)) {
		throw new UserError('USAGE', `restoring PostgreSQL item "${item.name}" needs exactly one of --to-db NAME or --to-file PATH`, {hint: 'See `strata restore --help`'});
	}

	const table = options.table === undefined ? undefined : parseTable(options.table);
	if (table && options.toFile !== undefined) {
		throw new UserError('USAGE', '--table restores into a database (--to-db); --to-file always writes the whole dump', {
			hint: `Write the file, then pick the table with \`pg_restore --table=${table.name} FILE\``,
		});
	}

	if (options.toFile !== undefined) {
		const file = resolve(options.toFile);
		const exists = existsSync(file) && statSync(file).size > 0;
		if (exists && !options.force) throw new UserError('TARGET_EXISTS', `restore target ${file} exists and is not empty`, {hint: 'Choose a new path, or add --force to overwrite it'});
		return {detail, file, dropFirst: false, exists, ...(table ? {table} : {})};
	}

	const database = assertPlainDatabaseName(options.toDb!, '--to-db');
	const env = libpqEnvironment(item.postgres);
	const exists = (await psqlQuery(env, maintenanceDatabase, `SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(database)}`)) === '1';
	let empty = true;
	if (exists) {
		const relations = await psqlQuery(
			env,
			database,
			"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
		);
		empty = Number(relations) === 0;
	}

	// One table may join a database that holds others, as long as it is not there yet: its foreign keys can then find
	// their targets. --force still means drop and recreate.
	const joins = table !== undefined && !empty && !options.force;
	if (joins && (await psqlQuery(env, database, `SELECT to_regclass(${quoteLiteral(`${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`)}) IS NOT NULL`)) === 't') {
		throw new UserError('TARGET_TABLE_EXISTS', `database "${database}" already has table ${table.schema}.${table.name}`, {hint: 'Restore into another database, or rename or drop the table there first'});
	}

	if (!empty && !options.force && !joins) {
		throw new UserError('TARGET_DB_NOT_EMPTY', `database "${database}" exists and is not empty`, {hint: 'Restore into a new database name, or add --force to drop and recreate it'});
	}

	const dropFirst = exists && !empty && !joins;
	if (!table) return {detail, database, dropFirst, exists};
	// What the table needs is looked up where it will land: the database, or template1 which a new one copies.
	const pool = new CodecPool(1);
	try {
		const feed = () => async (input: Writable, signal: AbortSignal) => writeDump(repo, point, input, pool, signal, () => undefined);
		const tablePlan = await planTableRestore(env, exists && !dropFirst ? database : 'template1', table, feed, {itemName: item.name, rpId: point.id});
		return {detail, database, dropFirst, exists, table, tablePlan};
	} finally {
		await pool.close();
	}
}

/**
 * Streams a point's dump, in order and hash-checked, into `target`. The codec workers read and decode the chunks
 * (several batches in flight, as for volume restores); each batch is written once the ones before it are.
 */
async function writeDump(repo: Repository, point: RecoveryPoint, target: Writable, pool: CodecPool, signal: AbortSignal | undefined, onBytes: (bytes: number) => void): Promise<void> {
	const ids = recipeObjectIds(repo, point.id);
	const index = new ObjectIndex(repo);
	const inFlight: Array<Promise<DecodeResult>> = [];
	const writeNext = async () => {
		const data = Buffer.from((await inFlight.shift()!).data);
		onBytes(data.length);
		if (!target.write(data)) {
			await once(target, 'drain', {signal}).catch((error: unknown) => {
				throwIfAborted(signal);
				throw error;
			});
		}
	};

	try {
		for (let start = 0; start < ids.length; start += dumpBatchChunks) {
			throwIfAborted(signal);
			const decoded = pool.decodeFromPacks(repo.packsDir, index.locate(ids.slice(start, start + dumpBatchChunks), point.id));
			// Marked handled here; its failure surfaces when it is written in order.
			decoded.catch(() => undefined);
			inFlight.push(decoded);
			if (inFlight.length >= pool.size * 2) await writeNext();
		}

		while (inFlight.length > 0) await writeNext();
	} finally {
		await Promise.allSettled(inFlight);
	}
}

/** Restores a PostgreSQL point as planned. */
export async function restorePostgres(repo: Repository, item: PostgresItem, point: RecoveryPoint, plan: PostgresRestorePlan, options: RestoreRunOptions): Promise<{database?: string; file?: string; bytes: number; warnings: string[]}> {
	const pool = options.pool ?? new CodecPool();
	let bytes = 0;
	const total = Number(point.meta['dumpBytes'] ?? 0);
	const onBytes = (count: number) => {
		bytes += count;
		options.onProgress?.({doneBytes: bytes, totalBytes: Math.max(total, bytes), phase: 'restoring'});
	};

	try {
		if (plan.file) {
			const temporary = join(dirname(plan.file), `.${basename(plan.file)}.strata-restore-${process.pid}`);
			const out = createWriteStream(temporary, {mode: 0o600});
			try {
				await writeDump(repo, point, out, pool, options.signal, onBytes);
				out.end();
				await once(out, 'close');
				// A write stream never fsyncs (Node before 20.10 has no flush option): the dump must be durable before its name
				// appears, and the name before the restore reports success.
				fsyncPath(temporary);
				renameSync(temporary, plan.file);
				fsyncPath(dirname(plan.file));
			} catch (error) {
				out.destroy();
				rmSync(temporary, {force: true});
				throw error;
			}

			return {file: plan.file, bytes, warnings: []};
		}

		const warnings = await restoreIntoDatabase(repo, item, point, plan, pool, options, onBytes);
		return {database: plan.database!, bytes, warnings};
	} finally {
		// The workers keep the packs they read open: a shared pool lets them go, an own one is closed.
		if (options.pool) await options.pool.releaseFiles();
		else await pool.close();
	}
}

async function restoreIntoDatabase(repo: Repository, item: PostgresItem, point: RecoveryPoint, plan: PostgresRestorePlan, pool: CodecPool, options: RestoreRunOptions, onBytes: (count: number) => void): Promise<string[]> {
	const env = libpqEnvironment(item.postgres);
	const database = plan.database!;
	if (plan.dropFirst) await psqlQuery(env, maintenanceDatabase, `DROP DATABASE ${quoteIdentifier(database)} WITH (FORCE)`);
	const created = !plan.exists || plan.dropFirst;
	if (created) await psqlQuery(env, maintenanceDatabase, `CREATE DATABASE ${quoteIdentifier(database)}`);
	try {
		const selection = plan.tablePlan ? {ids: plan.tablePlan.ids, afterSql: unreferencedLargeObjectsSql(plan.tablePlan)} : {};
		await restoreDump(env, database, selection, async (input, signal) => writeDump(repo, point, input, pool, signal, onBytes), options.signal);
	} catch (error) {
		// Nothing was committed. A database this restore created is removed again; one that existed stays as it was.
		if (created && !plan.dropFirst) await psqlQuery(env, maintenanceDatabase, `DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`).catch(() => undefined);
		throw error;
	}

	if (!plan.tablePlan) return [];
	// Committed: what did not come along is said, never left for the user to find.
	const missing = await missingLargeObjectsWarning(env, database, plan.tablePlan.name, `${formatRecoveryPointId(point.id)} of "${item.name}"`).catch(
		(error: unknown) => `the restored table's large objects could not be checked (${error instanceof Error ? error.message : String(error)}): see that its oids point at large objects`,
	);
	return [...plan.tablePlan.warnings, ...(missing ? [missing] : [])];
}
