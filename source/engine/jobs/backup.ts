/**
 * The backup job: records the job, takes the item's lock and joins the writers (so it runs beside backups of other
 * items, never beside another writer of the same item or gc's deletion), and runs the item's kind of backup. A backup
 * that cannot take its locks leaves a failed job row saying why (and one refused at the start, with recordRefusal).
 */
import {requireItem} from '../catalog/items.js';
import {RuntimeError, UserError} from '../errors.js';
import type {BackupType, JobProgress, RecoveryPoint, Trigger} from '../model/index.js';
import type {Repository} from '../repository.js';
import {enterWriters, lockItem} from '../repository-locks.js';
import {sourceOf} from '../sources/index.js';
import type {CodecPool} from '../store/index.js';
import {throwIfAborted} from '../abort.js';
import {recordRefusedJob} from './job-log.js';
import {withJob} from './with-job.js';

export type RunBackupOptions = {
	type?: BackupType | undefined;
	trigger?: Trigger | undefined;
	retainUntil?: Date | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	/** The --wait limit; without it a backup waits as long as the holder of a lock it needs makes progress. */
	lockWaitMs?: number | undefined;
	/**
	 * Record a refused start (no such item, a stopped item) as a failed job: for a backup nobody watches (started from
	 * the console). Typed at a terminal, a refusal is bad input and writes nothing.
	 */
	recordRefusal?: boolean | undefined;
	/** Told once for each holder waited for: "waiting for process 123 (backup vm1) on this host since 10:02". */
	onWait?: ((line: string) => void) | undefined;
	pool?: CodecPool | undefined;
};

/** Backs up an item now and returns its new recovery point. */
export async function runBackup(repo: Repository, itemName: string, options: RunBackupOptions = {}): Promise<RecoveryPoint> {
	const trigger = options.trigger ?? 'on-demand';
	const detail = {requestedType: options.type ?? null};
	let item;
	try {
		item = requireItem(repo, itemName);
		if (item.state !== 'active') {
			throw new UserError('ITEM_NOT_PROTECTED', `item "${item.name}" is ${item.state === 'stopped-deleted' ? 'deleted' : 'stopped'}: no new backups`, {
				hint: `Resume protection first with \`strata protect resume ${item.name}\``,
			});
		}
	} catch (error) {
		if (options.recordRefusal) recordRefusedJob(repo, {kind: 'backup', trigger, itemId: item?.id, itemName: item?.name ?? itemName, detail}, error);
		throw error;
	}

	repo.guardWrite(`backup ${item.name}`);
	const failure = (caught: unknown, last: JobProgress | undefined) => (isDiskFull(caught) ? diskFull(repo, last, caught) : caught);
	const summary = (point: RecoveryPoint) => ({rpId: point.id, type: point.type});
	// Released after the job's end row is written, so whoever takes the lock next finds this job ended.
	const locks: Array<{release(): void}> = [];
	try {
		return await withJob(repo, {kind: 'backup', trigger, itemId: item.id, itemName: item.name, detail, onProgress: options.onProgress, summary, failure}, async onProgress => {
			const wait = {command: `backup ${item.name}`, waitMs: options.lockWaitMs, onWait: options.onWait, signal: options.signal};
			locks.push(await lockItem(repo.path, item.id, wait).catch(interrupted(options.signal)));
			locks.push(await enterWriters(repo.path, wait).catch(interrupted(options.signal)));
			const source = sourceOf(item);
			const plan = source.planBackup(repo, item, options.type);
			return source.capture(repo, item, plan, {trigger, retainUntil: options.retainUntil, signal: options.signal, onProgress, pool: options.pool});
		});
	} finally {
		for (const lock of locks.reverse()) lock.release();
	}
}

/** A wait stopped by the signal reads as an interrupted backup, like any other. */
function interrupted(signal: AbortSignal | undefined): (error: unknown) => never {
	return error => {
		throwIfAborted(signal);
		throw error;
	};
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
