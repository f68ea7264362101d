/**
 * Planning a backup, shared by the source kinds: which type it really is (full, incremental, differential) and which
 * points it is stored and compared against. A kind with other needs (a chain of WAL, say) plans its own way.
 */
import {latestFull, latestPoint} from '../catalog/points.js';
import type {BackupType, Item, JobProgress, RecoveryPoint, Trigger} from '../model/index.js';
import type {Repository} from '../repository.js';
import type {CodecPool} from '../store/index.js';

/** What a backup will be: its type, its base (what its block map or recipe is stored against) and the previous point. */
export type BackupPlan = {
	type: BackupType;
	/** Incremental: the previous point; differential: the last full; a full has none. */
	base: RecoveryPoint | undefined;
	/** The latest point, for counting what changed since then (differs from base only for differentials). */
	previous: RecoveryPoint | undefined;
};

/** What a capture is told by the backup job. */
export type CaptureOptions = {
	trigger: Trigger;
	retainUntil?: Date | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	/** A codec pool to reuse (tests, the scheduler); otherwise one is started and closed for this backup. */
	pool?: CodecPool | undefined;
};

/** Which type a backup really is and what it is stored against: the first is always a full, whatever was asked. */
export function planBackup(repo: Repository, item: Item, requested: BackupType | undefined): BackupPlan {
	const previous = latestPoint(repo, item.id);
	if (!previous || requested === 'full') return {type: 'full', base: undefined, previous};
	if (requested === 'differential') return {type: 'differential', base: latestFull(repo, item.id) ?? previous, previous};
	return {type: 'incremental', base: previous, previous};
}
