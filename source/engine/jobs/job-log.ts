/**
 * Job records in the catalog: what runs, how far it is, how it ended. Other processes (the console, `strata jobs`)
 * read progress from here. Progress writes are throttled so a job does not hammer the catalog.
 */
import {hostname} from 'node:os';
import type {Database} from 'better-sqlite3';
import {now} from '../clock.js';
import {formatError, toStrataError} from '../errors.js';
import {isProcessAlive} from '../lock.js';
import type {Job, JobKind, JobProgress, JobStatus, Trigger} from '../model/index.js';

type JobRow = {
	id: number;
	item_name: string | null;
	kind: JobKind;
	trigger: Trigger;
	status: JobStatus;
	started_at: string;
	ended_at: string | null;
	progress: string | null;
	error: string | null;
	pid: number | null;
	detail: string;
};

export type JobHandle = {
	id: number;
	progress(progress: JobProgress): void;
	succeed(detail?: Record<string, unknown>): void;
	fail(error: unknown): void;
};

/** Set (to "console") in the environment of jobs the console starts detached, whose stderr nobody reads. */
export const launchedByVariable = 'STRATA_LAUNCHED_BY';

// Progress is for people watching: once a second is enough, and each write is a catalog commit.
const progressIntervalMs = 1000;

/** What a job on a read-only repository reports to: nothing is recorded there. */
const unrecorded: JobHandle = {id: 0, progress() {}, succeed() {}, fail() {}};

/** Records a running job and returns a handle to report progress and the end (a no-op on a read-only catalog). */
export function startJob(db: Database, job: {kind: JobKind; trigger: Trigger; itemId?: number; itemName?: string; detail?: Record<string, unknown>}): JobHandle {
	if (db.readonly) return unrecorded;
	const detail = {host: hostname(), ...job.detail};
	// The start row need not survive a power cut (the job's own commit, or its end row, makes it durable): its commit
	// does not wait for the disk, which every gc and expire of `run --once` would otherwise pay twice.
	db.pragma('synchronous = NORMAL');
	let id: number;
	try {
		id = Number(
			db
				.prepare('INSERT INTO jobs (item_id, item_name, kind, trigger, status, started_at, pid, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
				.run(job.itemId ?? null, job.itemName ?? null, job.kind, job.trigger, 'running', now().toISOString(), process.pid, JSON.stringify(detail)).lastInsertRowid,
		);
	} finally {
		db.pragma('synchronous = FULL');
	}

	let lastWrite = 0;
	const startedReal = Date.now();
	const update = db.prepare('UPDATE jobs SET progress = ? WHERE id = ?');
	const end = db.prepare('UPDATE jobs SET status = ?, ended_at = ?, error = ?, detail = ?, progress = coalesce(?, progress) WHERE id = ?');
	let last: JobProgress | undefined;
	return {
		id,
		progress(progress) {
			last = progress;
			const time = Date.now();
			if (time - lastWrite < progressIntervalMs) return;
			lastWrite = time;
			// A progress row need not survive a power cut, so its commit does not wait for the disk: with a backup's or a
			// restore's writes streaming, a WAL fsync took ~200 ms here and stalled the thread that feeds the workers.
			// (WAL mode keeps the catalog consistent either way; the next FULL commit makes these frames durable too.)
			db.pragma('synchronous = NORMAL');
			// Nor need it wait for another writer's long commit: skipped then, the next one a second later goes in.
			const busyMs = db.pragma('busy_timeout', {simple: true}) as number;
			db.pragma('busy_timeout = 50');
			try {
				update.run(JSON.stringify({...progress, elapsedMs: time - startedReal}), id);
			} catch (error) {
				if ((error as {code?: string}).code !== 'SQLITE_BUSY') throw error;
			} finally {
				db.pragma(`busy_timeout = ${busyMs}`);
				db.pragma('synchronous = FULL');
			}
		},
		succeed(extra = {}) {
			const final = last ? JSON.stringify({...last, doneBytes: last.totalBytes, elapsedMs: Date.now() - startedReal}) : null;
			end.run('succeeded', now().toISOString(), null, JSON.stringify({...detail, ...extra, durationMs: Date.now() - startedReal}), final, id);
		},
		fail(error) {
			end.run('failed', now().toISOString(), formatError(toStrataError(error)), JSON.stringify({...detail, durationMs: Date.now() - startedReal}), null, id);
		},
	};
}

function isDead(job: {status: JobStatus; pid: number | null; detail: string}): boolean {
	if (job.status !== 'running' || job.pid === null) return false;
	return (JSON.parse(job.detail) as {host?: string}).host === hostname() && !isProcessAlive(job.pid);
}

function deadJobError(pid: number | null): string {
	return `process ${String(pid)} ended without finishing the job (killed or crashed); nothing it did was committed.`;
}

/** Marks jobs whose process died without recording an end (kill -9, power loss) as failed (not on a read-only catalog). */
export function reapDeadJobs(db: Database): void {
	if (db.readonly) return;
	const running = db.prepare("SELECT id, status, pid, detail FROM jobs WHERE status = 'running'").all() as Array<{id: number; status: JobStatus; pid: number | null; detail: string}>;
	for (const job of running.filter(row => isDead(row))) {
		db.prepare("UPDATE jobs SET status = 'failed', ended_at = ?, error = ? WHERE id = ? AND status = 'running'").run(now().toISOString(), deadJobError(job.pid), job.id);
	}
}

function toJob(row: JobRow): Job {
	// A read-only reader (the console) cannot reap dead jobs: it shows them as they will be recorded.
	if (isDead(row)) row = {...row, status: 'failed', error: deadJobError(row.pid)};
	return {
		id: row.id,
		item: row.item_name ?? undefined,
		kind: row.kind,
		trigger: row.trigger,
		status: row.status,
		startedAt: row.started_at,
		endedAt: row.ended_at ?? undefined,
		progress: row.progress ? (JSON.parse(row.progress) as JobProgress) : undefined,
		error: row.error ?? undefined,
		pid: row.pid ?? undefined,
		detail: JSON.parse(row.detail) as Record<string, unknown>,
	};
}

/** The newest jobs first. */
export function listJobs(db: Database, limit = 50): Job[] {
	return (db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map(row => toJob(row));
}

/** One job by id. */
export function getJob(db: Database, id: number): Job | undefined {
	const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
	return row ? toJob(row) : undefined;
}
