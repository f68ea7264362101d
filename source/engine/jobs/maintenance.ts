/** Expiry and gc as jobs: each run leaves a job row (kind 'expire' or 'gc'), shown by `strata jobs` and the console. */
import type {Trigger} from '../model/index.js';
import {type ExpireOptions, type ExpireResult, expireDue} from '../lifecycle/expire.js';
import {collectGarbage, type GcOptions, type GcResult} from '../lifecycle/gc.js';
import type {Repository} from '../repository.js';
import {startJob} from './job-log.js';

/** Expires what is due, recorded as an 'expire' job (a dry run records nothing). */
export async function runExpire(repo: Repository, options: ExpireOptions & {trigger?: Trigger} = {}): Promise<ExpireResult> {
	if (options.dryRun) return expireDue(repo, options);
	const job = startJob(repo.db, {kind: 'expire', trigger: options.trigger ?? 'on-demand'});
	try {
		const result = await expireDue(repo, options);
		job.succeed({expired: result.expired.map(point => point.id), kept: result.kept.map(point => point.id), freedBytes: result.freedBytes});
		return result;
	} catch (error) {
		job.fail(error);
		throw error;
	}
}

/** Runs a garbage collection, recorded as a 'gc' job. */
export async function runGc(repo: Repository, options: GcOptions & {trigger?: Trigger} = {}): Promise<GcResult> {
	const job = startJob(repo.db, {kind: 'gc', trigger: options.trigger ?? 'on-demand'});
	try {
		const result = await collectGarbage(repo, options);
		job.succeed({...result});
		return result;
	} catch (error) {
		job.fail(error);
		throw error;
	}
}
