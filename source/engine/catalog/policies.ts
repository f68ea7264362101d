/** Typed catalog queries for policies and which items use them. */
import {type CatalogHandle, connectionOf} from './connection.js';
import {UserError} from '../errors.js';
import type {Policy, Retention} from '../model/index.js';

type PolicyRow = {
	id: number;
	name: string;
	schedule: string;
	timezone: string;
	retain_daily: number | null;
	retain_weekly: number | null;
	retain_monthly: number | null;
	retain_yearly: number | null;
	created_at: string;
	items: number;
};

function toPolicy(row: PolicyRow): Policy {
	return {
		id: row.id,
		name: row.name,
		schedule: row.schedule,
		timezone: row.timezone,
		retention: {
			daily: row.retain_daily ?? undefined,
			weekly: row.retain_weekly ?? undefined,
			monthly: row.retain_monthly ?? undefined,
			yearly: row.retain_yearly ?? undefined,
		},
		createdAt: row.created_at,
		itemCount: row.items,
	};
}

const select = 'SELECT p.*, (SELECT count(*) FROM items i WHERE i.policy_id = p.id) AS items FROM policies p';

/** Every policy, by name. */
export function listPolicyRows(catalog: CatalogHandle): Policy[] {
	const db = connectionOf(catalog);
	return (db.prepare(`${select} ORDER BY p.name`).all() as PolicyRow[]).map(row => toPolicy(row));
}

/** The policy with this id, if any. */
export function getPolicyById(catalog: CatalogHandle, id: number): Policy | undefined {
	const db = connectionOf(catalog);
	const row = db.prepare(`${select} WHERE p.id = ?`).get(id) as PolicyRow | undefined;
	return row ? toPolicy(row) : undefined;
}

/** The policy with this name, or a clear error. */
export function requirePolicy(catalog: CatalogHandle, name: string): Policy {
	const db = connectionOf(catalog);
	const row = db.prepare(`${select} WHERE p.name = ?`).get(name) as PolicyRow | undefined;
	if (!row) throw new UserError('POLICY_NOT_FOUND', `no policy named "${name}"`, {hint: 'See `strata policy list`'});
	return toPolicy(row);
}

/** Inserts a policy; fails if the name is taken. */
export function insertPolicy(catalog: CatalogHandle, policy: {name: string; schedule: string; timezone: string; retention: Retention; createdAt: string}): Policy {
	const db = connectionOf(catalog);
	if (db.prepare('SELECT 1 FROM policies WHERE name = ?').get(policy.name)) {
		throw new UserError('POLICY_EXISTS', `a policy named "${policy.name}" already exists`, {hint: 'Change it with `strata policy set`, or choose another name'});
	}

	const {retention: r} = policy;
	const {lastInsertRowid} = db
		.prepare('INSERT INTO policies (name, schedule, timezone, retain_daily, retain_weekly, retain_monthly, retain_yearly, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
		.run(policy.name, policy.schedule, policy.timezone, r.daily ?? null, r.weekly ?? null, r.monthly ?? null, r.yearly ?? null, policy.createdAt);
	return getPolicyById(db, Number(lastInsertRowid))!;
}

/** Writes a policy's schedule, zone and retention. */
export function updatePolicy(catalog: CatalogHandle, policy: Policy): void {
	const db = connectionOf(catalog);
	const {retention: r} = policy;
	db.prepare('UPDATE policies SET schedule = ?, timezone = ?, retain_daily = ?, retain_weekly = ?, retain_monthly = ?, retain_yearly = ? WHERE id = ?').run(
		policy.schedule,
		policy.timezone,
		r.daily ?? null,
		r.weekly ?? null,
		r.monthly ?? null,
		r.yearly ?? null,
		policy.id,
	);
}

/** Deletes a policy no item uses. */
export function deletePolicy(catalog: CatalogHandle, name: string): void {
	const db = connectionOf(catalog);
	const policy = requirePolicy(db, name);
	if (policy.itemCount > 0) {
		throw new UserError('POLICY_IN_USE', `policy "${name}" is used by ${policy.itemCount} item(s)`, {hint: 'Move those items to another policy with `strata item set ITEM --policy NAME` first'});
	}

	db.prepare('DELETE FROM policies WHERE id = ?').run(policy.id);
}

/** The policy an item is under now (read from the catalog, not from an Item read earlier), if any. */
export function policyOfItem(catalog: CatalogHandle, itemId: number): Policy | undefined {
	const db = connectionOf(catalog);
	const policyId = db.prepare('SELECT policy_id FROM items WHERE id = ?').pluck().get(itemId) as number | null;
	return policyId === null ? undefined : getPolicyById(db, policyId);
}

/** Sets a policy's retention alone (a what-if on a copy of the catalog; setPolicy changes a real one whole). */
export function setPolicyRetention(catalog: CatalogHandle, policyId: number, retention: Retention): void {
	connectionOf(catalog)
		.prepare('UPDATE policies SET retain_daily = ?, retain_weekly = ?, retain_monthly = ?, retain_yearly = ? WHERE id = ?')
		.run(retention.daily ?? null, retention.weekly ?? null, retention.monthly ?? null, retention.yearly ?? null, policyId);
}

/** The names of the items under a policy. */
export function itemNamesOfPolicy(catalog: CatalogHandle, policyId: number): string[] {
	return connectionOf(catalog).prepare('SELECT name FROM items WHERE policy_id = ?').pluck().all(policyId) as string[];
}
