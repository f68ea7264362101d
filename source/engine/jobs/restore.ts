/** The restore job: checks the target first, records the job, and runs the item's kind of restore. */
import {requireItem} from '../catalog/items.js';
import {pinPoint} from '../catalog/pins.js';
import {requirePoint} from '../catalog/points.js';
import {UserError} from '../errors.js';
import {formatRecoveryPointId, type Item, type JobProgress, type RecoveryPoint} from '../model/index.js';
import type {Repository} from '../repository.js';
import {planRestore, restoreVolume} from '../sources/volume/restore.js';
import type {CodecPool} from '../store/index.js';
import {recordRestoreDamage} from './damage-marks.js';
import {withJob} from './with-job.js';

export type RunRestoreOptions = {
	/** Volumes: the target file or folder. */
	to?: string | undefined;
	/** PostgreSQL: the database to restore into, or a file for the reassembled dump. */
	toDb?: string | undefined;
	toFile?: string | undefined;
	table?: string | undefined;
	disk?: string | undefined;
	force?: boolean | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	pool?: CodecPool | undefined;
};

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
	const item = requireItem(repo.db, itemName);
	const point = requirePoint(repo.db, item.id, item.name, rpId);
	refuseForeignTargets(item, options);
	if (item.kind === 'postgres') return restoreDatabase(repo, item, point, options);
	if (options.to === undefined) throw new UserError('USAGE', `restoring volume item "${item.name}" needs --to PATH`, {hint: 'See `strata restore --help`'});
	const to = options.to;
	const targets = planRestore(repo, item, point, {...options, to});
	return pinned(repo, item, point, async () => {
		const summary = (written: RestoreResult['written']) => ({rpId, written});
		const job = {kind: 'restore', trigger: 'on-demand', itemId: item.id, itemName: item.name, detail: {rpId, to: options.to}, onProgress: options.onProgress, summary, failure: damageRecorder(repo)} as const;
		const written = await withJob(repo, job, async onProgress => restoreVolume(repo, item, point, targets, {...options, to, onProgress}));
		return {item: item.name, rpId, written};
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
	const pin = repo.readOnly ? {release() {}} : pinPoint(repo.db, point.id, `restore ${item.name} ${formatRecoveryPointId(point.id)}`);
	try {
		return await restore();
	} finally {
		pin.release();
	}
}

/** Target flags of the other kind of item (--table for a volume, --to for a database) are refused, not ignored. */
function refuseForeignTargets(item: Item, options: RunRestoreOptions): void {
	const database = item.kind === 'postgres';
	const foreign: Array<[keyof RunRestoreOptions, string]> = database ? [['to', '--to'], ['disk', '--disk']] : [['toDb', '--to-db'], ['toFile', '--to-file'], ['table', '--table']];
	const given = foreign.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
	if (given.length === 0) return;
	throw new UserError('USAGE', `${given.join(' and ')} ${given.length === 1 ? 'does' : 'do'} not apply to ${database ? 'PostgreSQL' : 'volume'} item "${item.name}"`, {
		hint: database ? 'Restore a database with --to-db NAME or --to-file PATH' : 'Restore a volume with --to PATH (and --disk NAME for one of its disks)',
	});
}

async function restoreDatabase(repo: Repository, item: Item, point: RecoveryPoint, options: RunRestoreOptions): Promise<RestoreResult> {
	// Loaded on demand, as for backups: execa costs ~100 ms of start-up.
	const {planPostgresRestore, restorePostgres} = await import('../sources/postgres/restore.js');
	const plan = await planPostgresRestore(repo, item, point, options);
	return pinned(repo, item, point, async () => {
		const detail = {rpId: point.id, toDb: options.toDb ?? null, toFile: options.toFile ?? null, table: options.table ?? null};
		const summary = (result: Awaited<ReturnType<typeof restorePostgres>>) => ({rpId: point.id, ...result});
		const job = {kind: 'restore', trigger: 'on-demand', itemId: item.id, itemName: item.name, detail, onProgress: options.onProgress, summary, failure: damageRecorder(repo)} as const;
		const result = await withJob(repo, job, async onProgress => restorePostgres(repo, item, point, plan, {...options, onProgress}));
		return {item: item.name, rpId: point.id, written: [], ...result};
	});
}
