/**
 * Job rows: what runs, how far it is, how it ended. Other processes (the console, `strata jobs`) read progress from
 * here. The start and progress writes are cheap on purpose (see each); the end row is a normal durable commit.
 */
import type {Database} from 'better-sqlite3';
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

/** What the catalog functions here need of the Repository: its catalog connection (callers pass the Repository). */
export type CatalogOwner = {readonly db: Database};

export type NewJob = {kind: JobKind; trigger: Trigger; itemId: number | undefined; itemName: string | undefined; startedAt: string; pid: number; detail: Record<string, unknown>};

export type JobEnd = {status: 'succeeded' | 'failed'; endedAt: string; error: string | undefined; detail: Record<string, unknown>; progress: JobProgress | undefined};

/** Inserts a running job and returns its id: when a job starts. */
export function insertJob({db}: CatalogOwner, job: NewJob): number {
	// The start row need not survive a power cut (the job's own commit, or its end row, makes it durable): its commit
	// does not wait for the disk, which every gc and expire of `run --once` would otherwise pay twice.
	db.pragma('synchronous = NORMAL');
	try {
		return Number(
			db
				.prepare('INSERT INTO jobs (item_id, item_name, kind, trigger, status, started_at, pid, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
				.run(job.itemId ?? null, job.itemName ?? null, job.kind, job.trigger, 'running', job.startedAt, job.pid, JSON.stringify(job.detail)).lastInsertRowid,
		);
	} finally {
		db.pragma('synchronous = FULL');
	}
}

/** Writes a running job's progress; false when another writer held the catalog (skipped: the next one goes in). */
export function writeJobProgress({db}: CatalogOwner, id: number, progress: JobProgress & {elapsedMs: number}): boolean {
	// A progress row need not survive a power cut, so its commit does not wait for the disk: with a backup's or a
	// restore's writes streaming, a WAL fsync took ~200 ms here and stalled the thread that feeds the workers.
	// (WAL mode keeps the catalog consistent either way; the next FULL commit makes these frames durable too.)
	db.pragma('synchronous = NORMAL');
	// Nor need it wait for another writer's long commit.
	const busyMs = db.pragma('busy_timeout', {simple: true}) as number;
	db.pragma('busy_timeout = 50');
	try {
		db.prepare('UPDATE jobs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
		return true;
	} catch (error) {
		if ((error as {code?: string}).code !== 'SQLITE_BUSY') throw error;
		return false;
	} finally {
		db.pragma(`busy_timeout = ${busyMs}`);
		db.pragma('synchronous = FULL');
	}
}

/** Records how a job ended (keeping its last progress unless a final one is given). */
export function endJob({db}: CatalogOwner, id: number, end: JobEnd): void {
	db.prepare('UPDATE jobs SET status = ?, ended_at = ?, error = ?, detail = ?, progress = coalesce(?, progress) WHERE id = ?').run(
		end.status,
		end.endedAt,
		end.error ?? null,
		JSON.stringify(end.detail),
		end.progress ? JSON.stringify(end.progress) : null,
		id,
	);
}

/** Marks a job still recorded as running as failed (its process died): for reaping. */
export function failRunningJob({db}: CatalogOwner, id: number, endedAt: string, error: string): void {
	db.prepare("UPDATE jobs SET status = 'failed', ended_at = ?, error = ? WHERE id = ? AND status = 'running'").run(endedAt, error, id);
}

function toJob(row: JobRow): Job {
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

/** The jobs recorded as running, as they are recorded: for finding those whose process died. */
export function runningJobRows({db}: CatalogOwner): Job[] {
	return (db.prepare("SELECT * FROM jobs WHERE status = 'running'").all() as JobRow[]).map(row => toJob(row));
}

/** The newest job rows first, as recorded. */
export function jobRows({db}: CatalogOwner, limit: number): Job[] {
	return (db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map(row => toJob(row));
}

/** One job row by id, as recorded. */
export function jobRow({db}: CatalogOwner, id: number): Job | undefined {
	const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
	return row ? toJob(row) : undefined;
}
