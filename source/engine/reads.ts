/**
 * What the CLI and the console read from the catalog, as plain data. No database handle leaves the engine: callers
 * pass the Repository and get items, jobs and figures back.
 */
import {recordingState} from './store/manifest-writer.js';
import {dataVersion as catalogDataVersion, inTransaction} from './catalog/connection.js';
import {requireItem as requireItemRow} from './catalog/items.js';
import {getJob as getJobRow, listJobs as listJobRows, reapDeadJobs as reapDeadJobRows} from './jobs/job-log.js';
import {freesBytes as freesBytesOf} from './lifecycle/merge.js';
import type {Item, Job} from './model/index.js';
import type {Repository} from './repository.js';
import {currencyKey, setSetting} from './settings.js';

/** The item of that name, or a UserError naming the items there are. */
export function requireItem(repo: Repository, name: string): Item {
	return requireItemRow(repo, name);
}

/** The newest jobs first, at most `limit`. */
export function listJobs(repo: Repository, limit = 50): Job[] {
	return listJobRows(repo, limit);
}

/** One job by its number, or undefined. */
export function getJob(repo: Repository, id: number): Job | undefined {
	return getJobRow(repo, id);
}

/** Marks running jobs whose process has died as failed: call before showing jobs. */
export function reapDeadJobs(repo: Repository): void {
	reapDeadJobRows(repo);
}

/** The stored bytes that expiring this recovery point would free (what it owns that its successor does not take). */
export function freesBytes(repo: Repository, pointId: number): number {
	return freesBytesOf(repo, pointId);
}

/** A number that changes whenever another process commits to the catalog: poll it to know when to read again. */
export function dataVersion(repo: Repository): number {
	return catalogDataVersion(repo);
}

/** Sets repository settings in one transaction: a bad value leaves every setting as it was. */
export function setSettings(repo: Repository, change: {key: string; value: string; currency?: string}): void {
	// Then the state record (store/manifest-writer.ts) describing the settings in the packs.
	recordingState(repo, () =>
		inTransaction(
			repo,
			() => {
				if (change.currency !== undefined) setSetting(repo, currencyKey, change.currency.toUpperCase());
				setSetting(repo, change.key, change.value);
			},
			{deferred: true},
		),
	);
}
