/** The restore job: checks the target first, records the job, and runs the item's kind of restore. */
import {requireItem} from '../catalog/items.js';
import {requirePoint} from '../catalog/points.js';
import {RuntimeError} from '../errors.js';
import type {JobProgress} from '../model/index.js';
import type {Repository} from '../repository.js';
import {planRestore, restoreVolume} from '../sources/volume/restore.js';
import type {CodecPool} from '../store/index.js';
import {startJob} from './job-log.js';

export type RunRestoreOptions = {
	to: string;
	disk?: string | undefined;
	force?: boolean | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	pool?: CodecPool | undefined;
};

export type RestoreResult = {item: string; rpId: number; written: Array<{disk: string; path: string; size: number}>};

/** Restores a recovery point of an item. A refused restore (target exists, bad disk) touches nothing. */
export async function runRestore(repo: Repository, itemName: string, rpId: number, options: RunRestoreOptions): Promise<RestoreResult> {
	const item = requireItem(repo.db, itemName);
	const point = requirePoint(repo.db, item.id, item.name, rpId);
	if (item.kind !== 'volume') {
		throw new RuntimeError('NOT_SUPPORTED', `restoring PostgreSQL item "${item.name}" is not available in this build`, {hint: 'Upgrade Strata'});
	}

	const targets = planRestore(repo, item, point, options);
	const job = startJob(repo.db, {kind: 'restore', trigger: 'on-demand', itemId: item.id, itemName: item.name, detail: {rpId, to: options.to}});
	try {
		const written = await restoreVolume(repo, item, point, targets, {
			...options,
			onProgress(progress) {
				job.progress(progress);
				options.onProgress?.(progress);
			},
		});
		job.succeed({rpId, written});
		return {item: item.name, rpId, written};
	} catch (error) {
		job.fail(error);
		throw error;
	}
}
