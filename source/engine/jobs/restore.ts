/** The restore job: the item's source kind checks the target first, then the job is recorded and the kind restores. */
import {requireItem} from '../catalog/items.js';
import {pinPoint} from '../catalog/pins.js';
import {requirePoint} from '../catalog/points.js';
import {formatRecoveryPointId, type Item, type RecoveryPoint} from '../model/index.js';
import type {Repository} from '../repository.js';
import {type RestoreOutcome, type RestoreRequest, type RestoreRunOptions, sourceOf} from '../sources/index.js';
import {recordRestoreDamage} from './damage-marks.js';
import {withJob} from './with-job.js';

export type RunRestoreOptions = RestoreRequest & RestoreRunOptions;

export type RestoreResult = {
	item: string;
	rpId: number;
	written: Array<{disk: string; path: string; size: number}>;
	database?: string;
	file?: string;
	/** What a one-table restore did not bring (a foreign key without its target, large objects the dump lacks). */
	warnings?: string[];
};

/**
 * Restores a recovery point of an item. A refused restore (target exists, bad disk) touches nothing. Once the target
 * is checked, the point is pinned for the whole restore, before its block map or recipe is resolved: expire and gc
 * leave it and its packs alone meanwhile.
 */
export async function runRestore(repo: Repository, itemName: string, rpId: number, options: RunRestoreOptions): Promise<RestoreResult> {
	const item = requireItem(repo, itemName);
	const point = requirePoint(repo, item.id, item.name, rpId);
	const source = sourceOf(item);
	const plan = await source.planRestore(repo, item, point, options);
	return pinned(repo, item, point, async () => {
		const summary = (outcome: RestoreOutcome) => ({rpId: point.id, ...outcome});
		const job = {kind: 'restore', trigger: 'on-demand', itemId: item.id, itemName: item.name, detail: plan.detail, onProgress: options.onProgress, summary, failure: damageRecorder(repo)} as const;
		const outcome = await withJob(repo, job, async onProgress => source.restore(repo, item, point, plan, {...options, onProgress}));
		return {item: item.name, rpId: point.id, written: [], ...outcome};
	});
}

/** A failed restore marks the damage it met, and fails as it did. */
function damageRecorder(repo: Repository): (error: unknown) => unknown {
	return error => {
		recordRestoreDamage(repo, error);
		return error;
	};
}

/** Runs `restore` with the point pinned (failing if it expired since it was looked up). */
async function pinned<T>(repo: Repository, item: Item, point: RecoveryPoint, restore: () => Promise<T>): Promise<T> {
	// A read-only repository records nothing, a pin included: no writer can run there to remove the point anyway.
	const pin = repo.readOnly ? {release() {}} : pinPoint(repo, point.id, `restore ${item.name} ${formatRecoveryPointId(point.id)}`);
	try {
		return await restore();
	} finally {
		pin.release();
	}
}
