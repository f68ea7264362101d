/**
 * The repository lock for writers (backup, expire, gc, merges). One lock file holds the holder's pid, host and
 * command. A lock whose process is gone (crash, kill -9) is detected and taken over; a live holder makes the next
 * writer wait up to a limit and then fail naming the holder.
 */
import {hostname} from 'node:os';
import {closeSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {now} from './clock.js';
import {RuntimeError} from './errors.js';

export type LockHolder = {
	pid: number;
	host: string;
	command: string;
	since: string;
};

export type LockOptions = {
	command: string;
	/** How long to wait for a live holder before failing. */
	waitMs?: number;
	pollMs?: number;
};

export const defaultLockWaitMs = 10_000;

/** A held lock; release it in a finally block. */
export type Lock = {
	readonly path: string;
	release(): void;
};

/** Whether a process with this pid exists on this machine. */
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Reads the holder recorded in a lock file, or undefined when there is none or it is unreadable. */
export function readLockHolder(path: string): LockHolder | undefined {
	try {
		return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
	} catch {
		return undefined;
	}
}

function isStale(holder: LockHolder | undefined): boolean {
	// An empty or torn file was left by a writer that died between create and write.
	if (!holder || typeof holder.pid !== 'number') return true;
	return holder.host === hostname() && !isProcessAlive(holder.pid);
}

function tryCreate(path: string, holder: LockHolder): boolean {
	let fd: number;
	try {
		fd = openSync(path, 'wx', 0o600);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}

	try {
		writeSync(fd, JSON.stringify(holder));
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}

	return true;
}

/** Moves a stale lock aside; if another process replaced it meanwhile with a live one, puts that one back. */
function takeOverStale(path: string, seen: LockHolder | undefined): void {
	const aside = `${path}.stale-${process.pid}`;
	try {
		renameSync(path, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}

	const moved = readLockHolder(aside);
	if (moved && seen && moved.pid !== seen.pid && !isStale(moved)) {
		// We moved a live holder's fresh lock aside: put it back, but never over a lock a third process took meanwhile
		// (link fails when the name exists, where rename would overwrite).
		try {
			linkSync(aside, path);
		} catch {
			// Someone else holds the name now; the live holder's copy is dropped below and it will notice on release.
		}
	}

	try {
		unlinkSync(aside);
	} catch {
		// Already gone.
	}
}

/** Removes `<lock>.stale-<pid>` files of takers that died between moving a stale lock aside and removing it. */
function removeDeadTakersFiles(path: string): void {
	const prefix = `${basename(path)}.stale-`;
	for (const name of readdirSync(dirname(path))) {
		const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : Number.NaN;
		if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
		try {
			unlinkSync(join(dirname(path), name));
		} catch {
			// Another taker removed it.
		}
	}
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
	Atomics.wait(sleepBuffer, 0, 0, ms);
}

/** Takes the lock at `path`, waiting for a live holder up to `waitMs`, taking over a dead one at once. */
export function acquireLock(path: string, options: LockOptions): Lock {
	const waitMs = options.waitMs ?? defaultLockWaitMs;
	const pollMs = options.pollMs ?? 100;
	const holder: LockHolder = {pid: process.pid, host: hostname(), command: options.command, since: now().toISOString()};
	const deadline = Date.now() + waitMs;
	for (;;) {
		if (tryCreate(path, holder)) break;
		const current = readLockHolder(path);
		if (isStale(current)) {
			takeOverStale(path, current);
			continue;
		}

		if (Date.now() >= deadline) {
			const who = current ? `process ${current.pid} (${current.command}${current.host === hostname() ? '' : ` on ${current.host}`})` : 'another process';
			throw new RuntimeError('LOCKED', `the repository is locked by ${who} since ${current?.since ?? 'an unknown time'}`, {
				hint: 'Wait for it to finish, or stop that process; a lock left by a dead process is taken over automatically',
			});
		}

		sleepSync(Math.min(pollMs, Math.max(1, deadline - Date.now())));
	}

	// Held: a taker killed mid-takeover left its copy of the old lock beside this one.
	removeDeadTakersFiles(path);

	let released = false;
	return {
		path,
		release() {
			if (released) return;
			released = true;
			const current = readLockHolder(path);
			if (current?.pid === process.pid) {
				try {
					unlinkSync(path);
				} catch {
					// Someone removed it already.
				}
			}
		},
	};
}
