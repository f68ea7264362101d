/** The backup job: takes the repository lock, records the job, and runs the item's kind of backup. */
import {requireItem} from '../catalog/items.js';
import {RuntimeError, UserError} from '../errors.js';
import type {BackupType, JobProgress, RecoveryPoint, Trigger} from '../model/index.js';
import type {Repository} from '../repository.js';
import {backupVolume} from '../sources/volume/backup.js';
import type {CodecPool} from '../store/index.js';
import {startJob} from './job-log.js';

export type RunBackupOptions = {
	type?: BackupType | undefined;
	trigger?: Trigger | undefined;
	retainUntil?: Date | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	lockWaitMs?: number | undefined;
	pool?: CodecPool | undefined;
};

/** Backs up an item now and returns its new recovery point. */
export async function runBackup(repo: Repository, itemName: string, options: RunBackupOptions = {}): Promise<RecoveryPoint> {
	const item = requireItem(repo.db, itemName);
	if (item.state !== 'active') {
		throw new UserError('ITEM_NOT_PROTECTED', `item "${item.name}" is ${item.state === 'stopped-deleted' ? 'deleted' : 'stopped'}: no new backups`, {
			hint: `Resume protection first with \`strata protect resume ${item.name}\``,
		});
	}

	const lock = repo.lock({command: `backup ${item.name}`, ...(options.lockWaitMs === undefined ? {} : {waitMs: options.lockWaitMs})});
	const trigger = options.trigger ?? 'on-demand';
	let lastProgress: JobProgress | undefined;
	const job = startJob(repo.db, {kind: 'backup', trigger, itemId: item.id, itemName: item.name, detail: {requestedType: options.type ?? null}});
	try {
		const onProgress = (progress: JobProgress) => {
			lastProgress = progress;
			job.progress(progress);
			options.onProgress?.(progress);
		};

		let point: RecoveryPoint;
		if (item.kind === 'volume') {
			point = await backupVolume(repo, item, {type: options.type, trigger, retainUntil: options.retainUntil, signal: options.signal, onProgress, pool: options.pool});
		} else {
			// Loaded on demand: the PostgreSQL side pulls in execa, ~100 ms of start-up every volume command would pay.
			const {backupPostgres} = await import('../sources/postgres/backup.js');
			point = await backupPostgres(repo, item, {type: options.type, trigger, retainUntil: options.retainUntil, signal: options.signal, onProgress, pool: options.pool});
		}

		job.succeed({rpId: point.id, type: point.type});
		return point;
	} catch (caught) {
		const error = isDiskFull(caught) ? diskFull(repo, lastProgress, caught) : caught;
		job.fail(error);
		throw error;
	} finally {
		lock.release();
	}
}

function isDiskFull(error: unknown): boolean {
	const code = (error as {code?: string} | undefined)?.code;
	return code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT';
}

/** A full repository filesystem, said with the path and how much room the backup needs at most. */
function diskFull(repo: Repository, progress: JobProgress | undefined, cause: unknown): RuntimeError {
	const needMiB = progress ? Math.ceil(progress.totalBytes / 1024 / 1024) : undefined;
	return new RuntimeError('DISK_FULL', `the repository filesystem at ${repo.path} is full; the backup was rolled back and earlier recovery points are intact`, {
		hint: `Free space there${needMiB === undefined ? '' : ` (this backup needs at most ${needMiB} MiB, less after compression and deduplication)`}, then run it again`,
		cause,
	});
}
