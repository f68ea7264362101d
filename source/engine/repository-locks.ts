/**
 * The repository's locks, in REPO/locks/. Writers of different items run side by side; only what must be exclusive is:
 *   item-<id>            one writer of an item at a time: its backups, expiries (merges) and purge.
 *   writer-<host>-<pid>  shared: held by every process with a backup in flight, from before its first deduplication
 *                        look-up until its point is committed (or its packs discarded).
 *   delete               exclusive: gc's deletion. Held only while no writer-* file of a live process exists, and while
 *                        held no new writer starts. So gc never deletes an object a running backup deduplicated
 *                        against, nor a pack it renamed into packs/ and has not committed yet.
 * Taking the shared side: create writer-*, then look for `delete`; taking `delete`: create it, then look for writer-*.
 * Each side creates its own file before it looks for the other's, so at most one of them goes on.
 */
import {mkdirSync, readdirSync, unlinkSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {dirname, join} from 'node:path';
import {RuntimeError, UserError} from './errors.js';
import {acquireLock, acquireLockAsync, heldBy, heldLock, type Lock, type LockHolder, type LockOptions, lockState, type LockState, newHolder, pause, readLockHolder, removeIfOurs, retryTaking, retryTakingSync, takeOverDead, tryLock, Waiter} from './lock.js';
import {remember} from './lock-heartbeat.js';

export const locksFolder = 'locks';
const deleteName = 'delete';
/** The single lock file of Strata before writers ran side by side; honoured for one who still holds it. */
export const legacyLockName = 'lock';

function locksDir(repoPath: string): string {
	const dir = join(repoPath, locksFolder);
	mkdirSync(dir, {recursive: true, mode: 0o700});
	return dir;
}

/** Takes the lock of one item (its backups, merges and purge), waiting for another writer of the same item. */
export async function lockItem(repoPath: string, itemId: number, options: LockOptions): Promise<Lock> {
	return acquireLockAsync(join(locksDir(repoPath), `item-${itemId}`), options);
}

/** lockItem for the synchronous callers (expire and purge run synchronously once they hold it). */
export function lockItemSync(repoPath: string, itemId: number, options: LockOptions): Lock {
	return acquireLock(join(locksDir(repoPath), `item-${itemId}`), options);
}

// A process has one writer-* file however many backups it runs at once (the scheduler, tests): counted here.
let writerCount = 0;

function writerPath(repoPath: string): string {
	return join(locksDir(repoPath), `writer-${hostname()}-${process.pid}`);
}

/** The holder of `delete` (or of the old single lock) to wait for, or undefined when none (a dead one is removed). */
function deleter(dir: string): LockState | undefined {
	const legacy = legacyHolder(dirname(dir))[0];
	if (legacy) return legacy;
	for (;;) {
		const state = lockState(join(dir, deleteName));
		if (state.kind === 'free') return undefined;
		if (state.kind === 'dead') {
			takeOverDead(join(dir, deleteName), state.holder);
			continue;
		}

		return state;
	}
}

/** Joins the writers (shared side): waits while gc deletes. Hold it from before the first dedup look-up to the commit. */
export async function enterWriters(repoPath: string, options: LockOptions): Promise<Lock> {
	const dir = locksDir(repoPath);
	const path = writerPath(repoPath);
	const waiter = new Waiter(options);
	for (;;) {
		if (options.signal?.aborted) await pause(0, options.signal);
		if (writerCount === 0) {
			const before = deleter(dir);
			if (!before) {
				// Only this process ever writes this name; a torn file reads as a dead holder's and is removed.
				writeFileSync(path, JSON.stringify(newHolder(options.command)), {mode: 0o600});
				const after = deleter(dir);
				if (!after) break;
				unlinkSync(path);
				await pause(waiter.next(heldBy(after), after), options.signal);
				continue;
			}

			await pause(waiter.next(heldBy(before), before), options.signal);
			continue;
		}

		break;
	}

	writerCount++;
	remember(path);
	return heldLock(path, () => {
		writerCount--;
		if (writerCount === 0) removeIfOurs(path);
	});
}

/** The live writers other than this process (dead ones' files are removed). */
function liveWriters(dir: string): Array<LockState & {holder: LockHolder}> {
	const live: Array<LockState & {holder: LockHolder}> = [];
	for (const name of readdirSync(dir)) {
		if (!name.startsWith('writer-')) continue;
		const path = join(dir, name);
		const state = lockState(path);
		if (state.kind === 'dead') {
			try {
				unlinkSync(path);
			} catch {
				// Removed by another gc.
			}

			continue;
		}

		if (state.kind !== 'free' && !(state.holder.pid === process.pid && state.holder.host === hostname())) live.push(state);
	}

	return live;
}

/** One try at the exclusive side: the held `delete` lock, or whom to wait for (another gc, or a live writer). */
function tryDeletion(repoPath: string, holder: LockHolder): Lock | LockState {
	if (writerCount > 0) throw new RuntimeError('GC_BESIDE_OWN_BACKUP', 'gc cannot run in a process that has a backup in flight', {hint: 'Run gc after the backup ends'});
	const dir = locksDir(repoPath);
	const lock = tryLock(join(dir, deleteName), holder);
	if (!('release' in lock)) return lock;
	const writers = [...liveWriters(dir), ...legacyHolder(repoPath)];
	if (writers.length === 0) return lock;
	// Not held while waiting: backups keep starting meanwhile; gc goes on in the first gap between them.
	lock.release();
	return writers[0]!;
}

/**
 * Takes the exclusive side for gc's deletion: waits until no live writer is in flight, then holds `delete` so none
 * starts until it is released.
 */
export async function lockForDeletion(repoPath: string, options: LockOptions): Promise<Lock> {
	return retryTaking(options, holder => tryDeletion(repoPath, holder));
}

/** lockForDeletion for synchronous callers. */
export function lockForDeletionSync(repoPath: string, options: LockOptions): Lock {
	return retryTakingSync(options, holder => tryDeletion(repoPath, holder));
}

/** A live holder of the old single lock file (a Strata from before this layout, still running). */
function legacyHolder(repoPath: string): Array<LockState & {holder: LockHolder}> {
	const state = lockState(join(repoPath, legacyLockName));
	return state.kind === 'live' || state.kind === 'stalled' ? [state] : [];
}

export type HeldLock = {file: string; holder: LockHolder | undefined; state: LockState['kind']};

/** Every lock file of the repository with its holder and state (for `strata unlock`). */
export function listLocks(repoPath: string): HeldLock[] {
	const dir = locksDir(repoPath);
	const files = readdirSync(dir).filter(name => !/\.(?:stale|new|tmp)-\d+$/.test(name)).map(name => join(locksFolder, name));
	files.push(legacyLockName);
	const locks: HeldLock[] = [];
	for (const file of files) {
		const state = lockState(join(repoPath, file));
		if (state.kind === 'free') continue;
		locks.push({file, holder: state.holder ?? readLockHolder(join(repoPath, file)), state: state.kind});
	}

	return locks;
}

/** The locks `strata unlock` may remove: every one not held by a live process on this host. Refuses when there is none. */
export function unlockable(repoPath: string): HeldLock[] {
	const locks = listLocks(repoPath);
	const removable = locks.filter(lock => !(lock.holder?.host === hostname() && lock.state !== 'dead'));
	if (removable.length === 0) {
		const live = locks[0];
		if (live?.holder) {
			throw new UserError('LOCK_HELD_HERE', `the lock is held by process ${live.holder.pid} (${live.holder.command}) on this host, which is alive`, {
				hint: `Wait for it to finish or stop process ${live.holder.pid}; \`strata unlock\` frees only locks of processes that are gone`,
			});
		}

		throw new UserError('NOT_LOCKED', 'the repository holds no lock', {hint: 'Nothing to unlock'});
	}

	return removable;
}

/** Removes lock files chosen from `unlockable` (after the user confirmed them); returns how many were still there. */
export function removeLocks(repoPath: string, locks: readonly HeldLock[]): number {
	let removed = 0;
	for (const lock of locks) {
		try {
			unlinkSync(join(repoPath, lock.file));
			removed++;
		} catch {
			// Already gone.
		}
	}

	return removed;
}
