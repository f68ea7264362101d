/**
 * A PostgreSQL backup: pg_dump (custom format, uncompressed, one consistent snapshot) streams through the
 * content-defined chunker into the object store; the recipe commits in one transaction after the packs are durable.
 * A failed pg_dump fails the job with pg_dump's own first error line and leaves no point.
 */
import {recipeChunkIndex} from '../../catalog/recipes.js';
import {now} from '../../clock.js';
import {ExternalError} from '../../errors.js';
import {throwIfAborted} from '../../abort.js';
import type {PostgresItem, RecoveryPoint} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {CodecPool} from '../../store/index.js';
import type {BackupPlan, CaptureOptions} from '../backup-plan.js';
import {commitBackup, ObjectSink} from '../object-sink.js';
import {captureStream} from './capture.js';
import {firstErrorLine, psqlQuery, startPgDump} from './commands.js';
import {assertPlainDatabaseName, libpqEnvironment} from './connection.js';
import {dumpProgress, estimateDumpBytes} from './dump-estimate.js';

type DatabaseFacts = {databaseBytes: number; serverVersion: string};

async function databaseFacts(env: NodeJS.ProcessEnv, database: string): Promise<DatabaseFacts | undefined> {
	try {
		const [size, version] = (await psqlQuery(env, database, "SELECT pg_database_size(current_database()) || '|' || current_setting('server_version')")).split('|');
		return {databaseBytes: Number(size), serverVersion: version ?? ''};
	} catch {
		return undefined;
	}
}

/** Backs up a PostgreSQL item as planned; the caller holds the item's lock. */
export async function backupPostgres(repo: Repository, item: PostgresItem, plan: BackupPlan, options: CaptureOptions): Promise<RecoveryPoint> {
	const settings = item.postgres;
	assertPlainDatabaseName(settings.database, `the database of item "${item.name}"`);
	const env = libpqEnvironment(settings);
	const {type, base, previous} = plan;
	const createdAt = now().toISOString();
	const pool = options.pool ?? new CodecPool();
	const sink = new ObjectSink(repo);
	// pg_dump starts before the previous recipe is read, so its connection and schema queries overlap that read (the
	// codec workers boot on their own threads meanwhile); a failure from here on stops it in the finally below.
	const dump = startPgDump(env, settings.database);
	let stderr = '';
	dump.process.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const facts = databaseFacts(env, settings.database);
	const estimate = estimateDumpBytes(env, settings.database);
	const progress = dumpProgress(estimate, options.onProgress);
	try {
		const previousChunks = previous ? recipeChunkIndex(repo, previous.id) : new Map<string, number>();
		const captured = await captureStream(dump.process.stdout!, {
			pool,
			sink,
			previous: previousChunks,
			signal: options.signal,
			onBytes: bytes => progress.add(bytes),
		}, previous === undefined);
		const result = await dump.process;
		if (result.exitCode !== 0 || result.signal) {
			throw new ExternalError('PG_DUMP_FAILED', `pg_dump of database "${settings.database}" failed: ${firstErrorLine(stderr)}`, {command: dump.command, args: dump.args, exitCode: result.exitCode, stderr}, {
				hint: 'Check that the database exists and the connection settings (PGHOST, PGPORT, PGUSER, PGPASSFILE) reach it',
			});
		}

		throwIfAborted(options.signal);
		progress.finish();
		return await commitBackup(repo, item, sink, {type, baseId: base?.id, trigger: options.trigger, createdAt, retainUntil: options.retainUntil}, {
			// The churn of a dump point (its distinct chunks not in the previous point's recipe: changed_blocks, and their
			// bytes before compression, against dumpBytes: meta.changedBytes) is counted by the commit from the recipe.
			changedBlocks: 0,
			meta: {...(await facts), dumpBytes: captured.bytes, dumpFormat: 'custom', newChunks: sink.newCount},
			disks: [],
			streamChurn: {previousId: previous?.id},
		});
	} finally {
		if (!sink.committed) {
			dump.process.kill();
			await sink.discard();
		}

		await Promise.all([facts, estimate]);
		await dump.process;
		if (!options.pool) await pool.close();
	}
}
