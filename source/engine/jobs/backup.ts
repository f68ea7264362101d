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
	const job = startJob(repo.db, {kind: 'backup', trigger, itemId: item.id, itemName: item.name, detail: {requestedType: options.type ?? null}});
	try {
		const onProgress = (progress: JobProgress) => {
			job.progress(progress);
			options.onProgress?.(progress);
		};

		let point: RecoveryPoint;
		if (item.kind === 'volume') {
			point = await backupVolume(repo, item, {type: options.type, trigger, retainUntil: options.retainUntil, signal: options.signal, onProgress, pool: options.pool});
		} else {
			throw new RuntimeError('NOT_SUPPORTED', `backing up PostgreSQL item "${item.name}" is not available in this build`, {hint: 'Upgrade Strata'});
		}

		job.succeed({rpId: point.id, type: point.type});
		return point;
	} catch (error) {
		job.fail(error);
		throw error;
	} finally {
		lock.release();
	}
}
