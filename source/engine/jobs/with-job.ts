/**
 * The one way a long operation becomes a job: its row is started, the operation reports through the `onProgress` it is
 * handed (written to the row, throttled, and passed on to the caller's), and the row records the result's summary or
 * the error's code and message. On a read-only repository the operation runs without a row (see startJob).
 */
import type {JobProgress} from '../model/index.js';
import type {Repository} from '../repository.js';
import {type JobStart, startJob} from './job-log.js';

export type JobRun<T> = JobStart & {
	/** The caller's own progress listener (a CLI progress line), told everything the row is. */
	onProgress?: ((progress: JobProgress) => void) | undefined;
	/** What the finished row keeps of the result (shown by `strata jobs <id>`). */
	summary?: ((result: T) => Record<string, unknown>) | undefined;
	/** Turns a failure into the error to record and throw (told the last progress), or records damage it met. */
	failure?: ((error: unknown, last: JobProgress | undefined) => unknown) | undefined;
};

/** Runs `operation` as a job of `repo`: use for every long operation (backup, restore, verify, expire, gc, purge, repair). */
export async function withJob<T>(repo: Repository, run: JobRun<T>, operation: (onProgress: (progress: JobProgress) => void) => Promise<T>): Promise<T> {
	const job = startJob(repo, run);
	let last: JobProgress | undefined;
	const onProgress = (progress: JobProgress) => {
		last = progress;
		job.progress(progress);
		run.onProgress?.(progress);
	};

	try {
		const result = await operation(onProgress);
		job.succeed(run.summary?.(result));
		return result;
	} catch (caught) {
		const error = run.failure ? run.failure(caught, last) : caught;
		job.fail(error);
		throw error;
	}
}
