/**
 * `strata unlock`: frees the locks (and restore pins) of processes that are gone but cannot be seen to be gone: those
 * of another host, or of a local process that stopped making progress... never one held by a live process on this
 * host. Nothing is taken over silently: the user confirms the list first.
 */
import {removeForeignPins} from './catalog/pins.js';
import {type HeldLock, removeLocks, unlockable} from './repository-locks.js';
import type {Repository} from './repository.js';

export type {HeldLock} from './repository-locks.js';

/** The locks `unlock` would remove, for the user to confirm; refuses when a live process on this host holds the lock. */
export function lockedBy(repo: Repository): HeldLock[] {
	return unlockable(repo.path);
}

/** Removes the confirmed locks and every restore pin not held by a live process on this host. */
export function unlock(repo: Repository, locks: readonly HeldLock[]): {locks: number; pins: number} {
	return {locks: removeLocks(repo.path, locks), pins: removeForeignPins(repo)};
}
