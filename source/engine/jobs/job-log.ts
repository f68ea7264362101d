/**
 * Job records: a job's handle on its catalog row (start, throttled progress, end), and how other processes read the
 * rows back, with jobs whose process died shown (and, where the catalog is writable, recorded) as failed.
 */
import {hostname} from 'node:os';
import {endJob, failRunningJob, insertJob, jobRow, jobRows, runningJobRows, writeJobProgress} from '../catalog/jobs.js';
import {now} from '../clock.js';
import {formatError, toStrataError} from '../errors.js';
import {isProcessAlive} from '../lock.js';
import type {Job, JobKind, JobProgress, Trigger} from '../model/index.js';
import type {Repository} from '../repository.js';

export type JobHandle = {
	id: number;
	progress(progress: JobProgress): void;
	succeed(detail?: Record<string, unknown>): void;
	fail(error: unknown): void;
};

export type JobStart = {
	kind: JobKind;
	trigger: Trigger;
	itemId?: number | undefined;
	itemName?: string | undefined;
	detail?: Record<string, unknown>;
	/** False runs the job without a row: for a catalog that must not be written (verify of a damaged one). */
	record?: boolean | undefined;
};

/** Set (to "console") in the environment of jobs the console starts detached, whose stderr nobody reads. */
export const launchedByVariable = 'STRATA_LAUNCHED_BY';

// Progress is for people watching: once a second is enough, and each write is a catalog commit.
const progressIntervalMs = 1000;

/** What a job on a read-only repository reports to: nothing can be recorded there. */
const unrecorded: JobHandle = {id: 0, progress() {}, succeed() {}, fail() {}};

/**
 * Records a running job and returns a handle to report progress and the end. On a read-only repository (read-only
 * media, or opened read-only), or with `record: false`, the job still runs but leaves no row: the handle is a no-op.
 */
export function startJob(repo: Repository, job: JobStart): JobHandle {
	if (repo.readOnly || job.record === false) return unrecorded;
	const detail = {host: hostname(), ...job.detail};
	const id = insertJob(repo, {kind: job.kind, trigger: job.trigger, itemId: job.itemId, itemName: job.itemName, startedAt: now().toISOString(), pid: process.pid, detail});
	let lastWrite = 0;
	const startedReal = Date.now();
	let last: JobProgress | undefined;
	return {
		id,
		progress(progress) {
			last = progress;
			const time = Date.now();
			if (time - lastWrite < progressIntervalMs) return;
			lastWrite = time;
			writeJobProgress(repo, id, {...progress, elapsedMs: time - startedReal});
		},
		succeed(extra = {}) {
			// A finished job shows all of its total done, with the time it took.
			const progress = last ? {...last, doneBytes: last.totalBytes, elapsedMs: Date.now() - startedReal} : undefined;
			endJob(repo, id, {status: 'succeeded', endedAt: now().toISOString(), error: undefined, detail: {...detail, ...extra, durationMs: Date.now() - startedReal}, progress});
		},
		fail(error) {
			endJob(repo, id, {status: 'failed', endedAt: now().toISOString(), error: formatError(toStrataError(error)), detail: {...detail, durationMs: Date.now() - startedReal}, progress: undefined});
		},
	};
}

/** Records a job refused before it started (a backup nobody watches, of an item that is stopped): a failed row. */
export function recordRefusedJob(repo: Repository, job: JobStart, error: unknown): void {
	startJob(repo, job).fail(error);
}

function isDead(job: Job): boolean {
	if (job.status !== 'running' || job.pid === undefined) return false;
	return (job.detail as {host?: string}).host === hostname() && !isProcessAlive(job.pid);
}

function deadJobError(pid: number | undefined): string {
	return `process ${String(pid)} ended without finishing the job (killed or crashed); nothing it did was committed.`;
}

/** Marks jobs whose process died without recording an end (kill -9, power loss) as failed (not on a read-only catalog). */
export function reapDeadJobs(repo: Repository): void {
	if (repo.readOnly) return;
	for (const job of runningJobRows(repo).filter(row => isDead(row))) failRunningJob(repo, job.id, now().toISOString(), deadJobError(job.pid));
}

// A read-only reader (the console) cannot reap dead jobs: it shows them as they will be recorded.
function shownAsRecorded(job: Job): Job {
	return isDead(job) ? {...job, status: 'failed', error: deadJobError(job.pid)} : job;
}

/** The newest jobs first. */
export function listJobs(repo: Repository, limit = 50): Job[] {
	return jobRows(repo, limit).map(job => shownAsRecorded(job));
}

/** One job by id. */
export function getJob(repo: Repository, id: number): Job | undefined {
	const job = jobRow(repo, id);
	return job ? shownAsRecorded(job) : undefined;
}
