/**
 * The scheduler: which backups are due at an instant (one per item for its latest missed slot: a slot missed while
 * nothing ran gives one catch-up backup, not a backlog), then expiry, purges and garbage collection.
 * `runOnce` is `strata run --once` (for cron); `runDaemon` is `strata run`.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {listItems, setItemLastSlot} from './catalog/items.js';
import {listPolicyRows} from './catalog/policies.js';
import {now} from './clock.js';
import {formatError, toStrataError} from './errors.js';
import {runBackup} from './jobs/backup.js';
import {reapDeadJobs} from './jobs/job-log.js';
import {runExpire, runGc, runPurge} from './jobs/maintenance.js';
import type {GcResult} from './lifecycle/gc.js';
import {latestSlot, nextSlot} from './lifecycle/schedule.js';
import type {Item, Policy} from './model/index.js';
import type {Repository} from './repository.js';

export type DueBackup = {item: string; slot: string};

/** Pure: the items whose latest slot at `at` has not run yet. */
export function dueBackups(items: readonly Item[], policies: ReadonlyMap<string, Policy>, at: Date): DueBackup[] {
	const due: DueBackup[] = [];
	for (const item of items) {
		if (item.state !== 'active' || item.policy === undefined) continue;
		const policy = policies.get(item.policy);
		if (!policy) continue;
		const slot = latestSlot(policy.schedule, policy.timezone, at);
		if (!slot) continue;
		if (item.lastSlotAt === undefined || new Date(item.lastSlotAt).getTime() < slot.getTime()) due.push({item: item.name, slot: slot.toISOString()});
	}

	return due;
}

export type RunReport = {
	at: string;
	backups: Array<{item: string; slot: string; rpId?: number; error?: string}>;
	expired: Array<{item: string; id: number}>;
	/** Due points left for the next run because a live restore pinned them. */
	kept: Array<{item: string; id: number; pinnedBy: string}>;
	purged: string[];
	gc: GcResult | undefined;
};

/** Runs what is due at `at` (default now): backups, then expiry, purges and gc. Never throws for one failed backup. */
export async function runOnce(repo: Repository, options: {at?: Date; signal?: AbortSignal; onWait?: (line: string) => void} = {}): Promise<RunReport> {
	const at = options.at ?? now();
	reapDeadJobs(repo);
	const policies = new Map(listPolicyRows(repo).map(policy => [policy.name, policy]));
	const report: RunReport = {at: at.toISOString(), backups: [], expired: [], kept: [], purged: [], gc: undefined};
	const items = listItems(repo);
	const itemIds = new Map(items.map(item => [item.name, item.id]));
	for (const due of dueBackups(items, policies, at)) {
		if (options.signal?.aborted) break;
		const itemId = itemIds.get(due.item)!;
		try {
			const point = await runBackup(repo, due.item, {trigger: 'scheduled', signal: options.signal, onWait: options.onWait});
			report.backups.push({...due, rpId: point.id});
		} catch (error) {
			report.backups.push({...due, error: formatError(toStrataError(error))});
		} finally {
			// The slot counts as run even when the backup failed: the next attempt is the next slot, not a retry storm.
			if (!options.signal?.aborted) setItemLastSlot(repo, itemId, due.slot);
		}
	}

	if (options.signal?.aborted) return report;
	try {
		await maintain(repo, at, report, options);
	} catch (error) {
		// Stopped while waiting for a lock: what ran is reported, the rest waits for the next run.
		if (!options.signal?.aborted) throw error;
	}

	return report;
}

async function maintain(repo: Repository, at: Date, report: RunReport, options: {signal?: AbortSignal; onWait?: (line: string) => void}): Promise<void> {
	const expiry = await runExpire(repo, {at, trigger: 'scheduled', signal: options.signal, onWait: options.onWait});
	report.expired = expiry.expired.map(point => ({item: point.item, id: point.id}));
	report.kept = expiry.kept.map(point => ({item: point.item, id: point.id, pinnedBy: point.pinnedBy}));
	report.purged = await runPurge(repo, {at, trigger: 'scheduled'});
	report.gc = await runGc(repo, {trigger: 'scheduled', signal: options.signal, onWait: options.onWait});
}

/** When the scheduler next has work: the earliest next slot of any active item with a policy. */
export function nextWake(repo: Repository, after: Date = now()): Date | undefined {
	let earliest: Date | undefined;
	const policies = new Map(listPolicyRows(repo).map(policy => [policy.name, policy]));
	for (const item of listItems(repo)) {
		if (item.state !== 'active' || item.policy === undefined) continue;
		const policy = policies.get(item.policy);
		const next = policy ? nextSlot(policy.schedule, policy.timezone, after) : undefined;
		if (next && (!earliest || next < earliest)) earliest = next;
	}

	return earliest;
}

/** The daemon: runs what is due, sleeps until the next slot (at most a minute), until the signal fires. */
export async function runDaemon(repo: Repository, options: {signal: AbortSignal; onReport?: (report: RunReport) => void; onWait?: (line: string) => void}): Promise<void> {
	while (!options.signal.aborted) {
		const report = await runOnce(repo, {signal: options.signal, onWait: options.onWait});
		options.onReport?.(report);
		const wake = nextWake(repo);
		const waitMs = Math.min(60_000, Math.max(1000, (wake?.getTime() ?? Number.POSITIVE_INFINITY) - now().getTime()));
		try {
			await sleep(waitMs, undefined, {signal: options.signal});
		} catch {
			break;
		}
	}
}
