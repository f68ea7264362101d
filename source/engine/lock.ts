/**
 * Lock files. One file holds its holder's pid, host and command, and the holder touches it every few seconds (its
 * heartbeat). A lock whose process is gone (crash, kill -9) on this host is taken over; a live holder making progress
 * is waited for, as long as it takes (or up to an optional limit), with one line through `onWait` saying whom; a
 * holder that stops making progress for a long time, or a lock of another host left untouched, is never taken over
 * silently: the waiter fails naming it (and `strata unlock` for another host's).
 */
import {hostname} from 'node:os';
import {closeSync, linkSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {now} from './clock.js';
import {RuntimeError} from './errors.js';
import {forget, heartbeat, remember} from './lock-heartbeat.js';

export type LockHolder = {
	pid: number;
	host: string;
	command: string;
	since: string;
};

export type LockOptions = {
	command: string;
	/** Give up after waiting this long for a live holder (`--wait`); without it, wait as long as the holder makes progress. */
	waitMs?: number | undefined;
	pollMs?: number | undefined;
	/** Told once for each holder waited for, with one line saying whom ("waiting for process 123 (backup vm1) ..."). */
	onWait?: ((line: string) => void) | undefined;
	/** Stops an asynchronous wait. */
	signal?: AbortSignal | undefined;
};

/** A holder whose lock file went untouched this long has stopped making progress (or, on another host, is gone). */
export const stalledAfterMs = 10 * 60_000;

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
		const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
		return typeof holder?.pid === 'number' ? holder : undefined;
	} catch {
		return undefined;
	}
}

/** What a lock file's holder is doing: gone (the lock may be taken over), live, or stalled (never taken over). */
export type LockState = {kind: 'free'} | {kind: 'dead'; holder: LockHolder | undefined} | {kind: 'live' | 'stalled'; holder: LockHolder; idleMs: number};

/** Judges the lock file at `path`. */
export function lockState(path: string): LockState {
	let mtimeMs: number;
	try {
		mtimeMs = statSync(path).mtimeMs;
	} catch {
		return {kind: 'free'};
	}

	const holder = readLockHolder(path);
	// An empty or torn file was left by an older writer that died between create and write (new ones link a full file).
	if (!holder) return {kind: 'dead', holder};
	const idleMs = Math.max(0, Date.now() - mtimeMs);
	if (holder.host === hostname()) {
		if (!isProcessAlive(holder.pid)) return {kind: 'dead', holder};
		return {kind: idleMs > stalledAfterMs ? 'stalled' : 'live', holder, idleMs};
	}

	// Another host's process cannot be asked whether it lives: only its heartbeat says so.
	return {kind: idleMs > stalledAfterMs ? 'stalled' : 'live', holder, idleMs};
}

/** "process 123 (backup vm1) on this host" */
export function describeHolder(holder: LockHolder): string {
	return `process ${holder.pid} (${holder.command}) ${holder.host === hostname() ? 'on this host' : `on host ${holder.host}`}`;
}

function clockTime(iso: string): string {
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? iso : `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** The one line a waiter gets: whom it waits for and since when. */
export function waitingLine(holder: LockHolder): string {
	const elsewhere = holder.host === hostname() ? '' : ' (if it is gone, `strata unlock` frees its lock)';
	return `waiting for ${describeHolder(holder)} since ${clockTime(holder.since)}${elsewhere}`;
}

/** The error for a holder that stopped making progress: never taken over, named with the way out. */
export function stalledError(holder: LockHolder, idleMs: number): RuntimeError {
	const minutes = Math.round(idleMs / 60_000);
	const local = holder.host === hostname();
	return new RuntimeError('LOCK_STALLED', `the repository is locked by ${describeHolder(holder)} since ${holder.since}, which has shown no progress for ${minutes} min`, {
		hint: local ? `Stop process ${holder.pid} if it hangs (its lock is then taken over automatically)` : `If that process is gone, check on ${holder.host} and free the lock with \`strata unlock\``,
	});
}

function lockedError(holder: LockHolder | undefined): RuntimeError {
	const who = holder ? describeHolder(holder) : 'another process';
	return new RuntimeError('LOCKED', `the repository is locked by ${who} since ${holder?.since ?? 'an unknown time'}`, {
		hint: 'Wait for it to finish (give a longer --wait), or stop that process; a lock left by a dead process is taken over automatically',
	});
}

/** Creates the lock file whole or not at all: written under a private name, then linked (link fails when the name exists). */
function tryCreate(path: string, holder: LockHolder): boolean {
	const temporary = `${path}.new-${process.pid}`;
	const fd = openSync(temporary, 'w', 0o600);
	try {
		// No fsync: a lock matters only while its holder lives, and a power cut ends every holder (a torn file left by
		// one reads as a dead holder's and is taken over).
		writeSync(fd, JSON.stringify(holder));
	} finally {
		closeSync(fd);
	}

	try {
		linkSync(temporary, path);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	} finally {
		unlinkSync(temporary);
	}
}

/** Moves a dead holder's lock aside; if another process replaced it meanwhile with a live one, puts that one back. */
export function takeOverDead(path: string, seen: LockHolder | undefined): void {
	const aside = `${path}.stale-${process.pid}`;
	try {
		renameSync(path, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}

	const moved = readLockHolder(aside);
	if (moved && seen && moved.pid !== seen.pid && lockState(aside).kind !== 'dead') {
		// We moved a live holder's fresh lock aside: put it back, but never over a lock a third process took meanwhile.
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

/** Removes `<lock>.stale-<pid>` and `.new-<pid>` files of processes that died between two steps of taking a lock. */
function removeDeadTakersFiles(path: string): void {
	const prefix = basename(path);
	for (const name of readdirSync(dirname(path))) {
		const match = /\.(?:stale|new)-(\d+)$/.exec(name);
		if (!match || !name.startsWith(`${prefix}.`) || name.slice(prefix.length).lastIndexOf('.') !== 0) continue;
		const pid = Number(match[1]);
		if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
		try {
			unlinkSync(join(dirname(path), name));
		} catch {
			// Another taker removed it.
		}
	}
}

/** Removes a lock file if this process still holds it. */
export function removeIfOurs(path: string): void {
	forget(path);
	if (readLockHolder(path)?.pid !== process.pid || readLockHolder(path)?.host !== hostname()) return;
	try {
		unlinkSync(path);
	} catch {
		// Someone removed it already.
	}
}

/**
 * Waits in steps: `attempt` returns a result once it can, or the holder it waits for. Tells `onWait` once per holder,
 * fails at the --wait limit, and touches this process's other locks meanwhile.
 */
export class Waiter {
	private readonly deadline: number;
	private told: string | undefined;

	constructor(private readonly options: LockOptions) {
		this.deadline = options.waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.waitMs;
	}

	/** Checks the holder waited for; returns how long to sleep, or throws when waiting is over. */
	next(holder: LockHolder | undefined, state: LockState): number {
		if (state.kind === 'stalled') throw stalledError(state.holder, state.idleMs);
		if (Date.now() >= this.deadline) throw lockedError(holder);
		const key = holder ? `${holder.host}:${holder.pid}:${holder.command}` : '';
		if (holder && key !== this.told) {
			this.told = key;
			this.options.onWait?.(waitingLine(holder));
		}

		heartbeat();
		return Math.min(this.options.pollMs ?? 100, Math.max(1, this.deadline - Date.now()));
	}
}

/** A held lock at `path` whose release runs `free` once, however often it is called. */
export function heldLock(path: string, free: () => void): Lock {
	let released = false;
	return {
		path,
		release() {
			if (released) return;
			released = true;
			free();
		},
	};
}

/** One try at the lock at `path`: the held lock, or the state of the holder to wait for (a dead one is taken over). */
export function tryLock(path: string, holder: LockHolder): Lock | LockState {
	for (;;) {
		if (tryCreate(path, holder)) {
			remember(path);
			removeDeadTakersFiles(path);
			return heldLock(path, () => removeIfOurs(path));
		}

		const state = lockState(path);
		if (state.kind === 'free') continue;
		if (state.kind === 'dead') {
			takeOverDead(path, state.holder);
			continue;
		}

		return state;
	}
}

/** This process as a lock's holder, for `command`. */
export function newHolder(command: string): LockHolder {
	return {pid: process.pid, host: hostname(), command, since: now().toISOString()};
}

function interruptedWait(signal: AbortSignal): RuntimeError {
	return new RuntimeError('INTERRUPTED', `interrupted (${signal.reason instanceof Error ? signal.reason.message : 'aborted'}) while waiting for a lock; nothing was done`, {
		hint: 'Run the command again when ready',
	});
}

/** Sleeps `ms` in an asynchronous wait for a lock; a fired signal ends the wait with an INTERRUPTED error. */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (signal?.aborted) throw interruptedWait(signal);
	try {
		await sleep(ms, undefined, signal ? {signal} : {});
	} catch (error) {
		if (signal?.aborted) throw interruptedWait(signal);
		throw error;
	}
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
/** Sleeps without returning to the event loop (for the synchronous callers). */
export function sleepSync(ms: number): void {
	Atomics.wait(sleepBuffer, 0, 0, ms);
}

/** The holder a lock state names, if any. */
export function heldBy(state: LockState): LockHolder | undefined {
	return 'holder' in state ? state.holder : undefined;
}

/** Tries `take` until it returns a lock, waiting between tries as LockOptions say: for synchronous callers. */
export function retryTakingSync(options: LockOptions, take: (holder: LockHolder) => Lock | LockState): Lock {
	const holder = newHolder(options.command);
	const waiter = new Waiter(options);
	for (;;) {
		const result = take(holder);
		if ('release' in result) return result;
		sleepSync(waiter.next(heldBy(result), result));
	}
}

/** retryTakingSync for asynchronous callers: the wait returns to the event loop, so signals stop it. */
export async function retryTaking(options: LockOptions, take: (holder: LockHolder) => Lock | LockState): Promise<Lock> {
	const holder = newHolder(options.command);
	const waiter = new Waiter(options);
	for (;;) {
		if (options.signal?.aborted) await pause(0, options.signal);
		const result = take(holder);
		if ('release' in result) return result;
		await pause(waiter.next(heldBy(result), result), options.signal);
	}
}

/** Takes the lock at `path`, waiting for a live holder (see LockOptions), taking over a dead one at once. */
export function acquireLock(path: string, options: LockOptions): Lock {
	return retryTakingSync(options, holder => tryLock(path, holder));
}

/** acquireLock for asynchronous callers: the wait returns to the event loop, so signals stop it. */
export async function acquireLockAsync(path: string, options: LockOptions): Promise<Lock> {
	return retryTaking(options, holder => tryLock(path, holder));
}
