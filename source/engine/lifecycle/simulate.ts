/**
 * Retention what-if: which recovery points a policy with other retention would expire now, how many bytes the merges
 * would free, and what that changes per month. Runs on an in-memory copy of the catalog, so nothing on disk changes.
 */
import {
	type CatalogHandle,
	chargedBytes,
	getPrice,
	itemNamesOfPolicy,
	monthlyCost,
	openInMemoryCopy,
	type Price,
	requirePolicy,
	setPolicyRetention,
} from '../catalog/index.js';
import {now} from '../clock.js';
import type {Retention} from '../model/index.js';
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

/** Simulates new retention for a policy at `at` (default now) without changing the repository. */
export function simulateRetention(repo: CatalogHandle, policyName: string, retention: Partial<Retention>, at: Date = now()): SimulationResult {
	const policy = requirePolicy(repo, policyName);
	const copy = openInMemoryCopy(repo);
	try {
		const next = {...policy.retention, ...retention};
		setPolicyRetention(copy, policy.id, next);
		const policyItems = new Set(itemNamesOfPolicy(copy, policy.id));
		const due = dueExpiries(copy, at).filter(point => policyItems.has(point.item));
		const before = chargedBytes(copy);
		for (const point of due) mergeAway(copy, point.id);
		const after = chargedBytes(copy);
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
