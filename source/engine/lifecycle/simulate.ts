/**
 * Retention what-if: which recovery points a policy with other retention would expire now, how many bytes the merges
 * would free, and what that changes per month. Runs on an in-memory copy of the catalog, so nothing on disk changes.
 */
import Database from 'better-sqlite3';
import {requirePolicy} from '../catalog/policies.js';
import {now} from '../clock.js';
import type {Retention} from '../model/index.js';
import {Repository} from '../repository.js';
import {getPrice, monthlyCost, type Price} from '../settings.js';
import {dueExpiries} from './expire.js';
import {mergeAway} from './merge.js';

export type SimulationResult = {
	policy: string;
	retention: Retention;
	expiring: Array<{item: string; id: number; createdAt: string; expiresAt: string}>;
	freedBytes: number;
	storedBytesBefore: number;
	storedBytesAfter: number;
	monthlyCostChange: number;
	price: Price;
};

function liveBytes(db: Database.Database): number {
	return db.prepare('SELECT coalesce(sum(stored_length), 0) FROM objects WHERE charged_rp_id IS NOT NULL').pluck().get() as number;
}

/** Simulates new retention for a policy at `at` (default now) without changing the repository. */
export function simulateRetention(repo: Repository, policyName: string, retention: Partial<Retention>, at: Date = now()): SimulationResult {
	const policy = requirePolicy(repo.db, policyName);
	const image = repo.db.serialize();
	// A WAL-mode image says so in its header (bytes 18-19); an in-memory copy must use a rollback journal.
	image[18] = 1;
	image[19] = 1;
	const copy = new Database(image);
	try {
		const next = {...policy.retention, ...retention};
		copy.prepare('UPDATE policies SET retain_daily = ?, retain_weekly = ?, retain_monthly = ?, retain_yearly = ? WHERE id = ?').run(
			next.daily ?? null,
			next.weekly ?? null,
			next.monthly ?? null,
			next.yearly ?? null,
			policy.id,
		);
		const view = Repository.inMemory(repo, copy);
		const policyItems = new Set(copy.prepare('SELECT name FROM items WHERE policy_id = ?').pluck().all(policy.id) as string[]);
		const due = dueExpiries(view, at).filter(point => policyItems.has(point.item));
		const before = liveBytes(copy);
		for (const point of due) mergeAway(copy, point.id);
		const after = liveBytes(copy);
		const price = getPrice(repo);
		return {
			policy: policy.name,
			retention: next,
			expiring: due.map(({item, id, createdAt, expiresAt}) => ({item, id, createdAt, expiresAt})),
			freedBytes: before - after,
			storedBytesBefore: before,
			storedBytesAfter: after,
			monthlyCostChange: monthlyCost(after, price) - monthlyCost(before, price),
			price,
		};
	} finally {
		copy.close();
	}
}
