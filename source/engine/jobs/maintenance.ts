/**
 * Expiry, purges and gc as jobs: each run leaves a job row (kind 'expire', 'purge' or 'gc'), shown by `strata jobs`
 * and the console. A dry run records nothing; a purge with nothing due is no operation and records nothing either.
 */
import type {Trigger} from '../model/index.js';
import {type ExpireOptions, type ExpireResult, expireDue} from '../lifecycle/expire.js';
import {collectGarbage, type GcOptions, type GcResult} from '../lifecycle/gc.js';
import {duePurges, purgeDeleted} from '../lifecycle/protection.js';
import type {Repository} from '../repository.js';
import {withJob} from './with-job.js';

/** Expires what is due, recorded as an 'expire' job (a dry run records nothing). */
export async function runExpire(repo: Repository, options: ExpireOptions & {trigger?: Trigger} = {}): Promise<ExpireResult> {
	if (options.dryRun) return expireDue(repo, options);
	const summary = (result: ExpireResult) => ({expired: result.expired.map(point => point.id), kept: result.kept.map(point => point.id), freedBytes: result.freedBytes});
	return withJob(repo, {kind: 'expire', trigger: options.trigger ?? 'on-demand', summary}, async () => expireDue(repo, options));
}

/** Runs a garbage collection, recorded as a 'gc' job. */
export async function runGc(repo: Repository, options: GcOptions & {trigger?: Trigger} = {}): Promise<GcResult> {
	return withJob(repo, {kind: 'gc', trigger: options.trigger ?? 'on-demand', summary: result => ({...result})}, async () => collectGarbage(repo, options));
}

/** Purges the items soft-deleted long enough (see lifecycle/protection.ts), recorded as a 'purge' job when any is due. */
export async function runPurge(repo: Repository, options: {at?: Date | undefined; trigger?: Trigger} = {}): Promise<string[]> {
	if (duePurges(repo, options.at).length === 0) return [];
	return withJob(repo, {kind: 'purge', trigger: options.trigger ?? 'on-demand', summary: purged => ({purged})}, async () => purgeDeleted(repo, options.at));
}
