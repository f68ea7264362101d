/** Policies: a schedule plus retention. Items point at one; expiry times are derived from it when read. */
import {
	type CatalogHandle,
	deletePolicy,
	getPolicyById,
	insertPolicy,
	listPolicyRows,
	requireItem,
	requirePolicy,
	setItemPolicyId,
	updatePolicy,
} from '../catalog/index.js';
import {now} from '../clock.js';
import {UserError} from '../errors.js';
import {assertName, type Item, type Policy, type Retention} from '../model/index.js';
import {recordingState} from '../store/manifest-writer.js';
import {assertSchedule, assertTimezone, nextSlot} from './schedule.js';

export type PolicyChanges = {
	schedule?: string | undefined;
	timezone?: string | undefined;
	retention?: Partial<Retention> | undefined;
};

function assertRetention(retention: Retention): void {
	for (const [unit, value] of Object.entries(retention)) {
		if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
			throw new UserError('BAD_RETENTION', `--retain-${unit} ${String(value)} is not a whole number of at least 1`, {hint: `Give e.g. --retain-${unit} 7`});
		}
	}

	if (Object.values(retention).every(value => value === undefined)) {
		throw new UserError('NO_RETENTION', 'a policy needs at least one retention', {hint: 'Add e.g. --retain-daily 7'});
	}
}

/** Creates a policy. */
export function addPolicy(repo: CatalogHandle, name: string, changes: PolicyChanges): Policy {
	assertName(name, 'policy');
	if (!changes.schedule) throw new UserError('NO_SCHEDULE', 'a policy needs --schedule', {hint: 'Use e.g. --schedule daily@02:30'});
	const timezone = assertTimezone(changes.timezone ?? 'UTC');
	assertSchedule(changes.schedule, timezone);
	const retention: Retention = {daily: undefined, weekly: undefined, monthly: undefined, yearly: undefined, ...changes.retention};
	assertRetention(retention);
	const schedule = changes.schedule;
	return recordingState(repo, () => insertPolicy(repo, {name, schedule, timezone, retention, createdAt: now().toISOString()}));
}

/** Changes a policy; the new retention applies to existing recovery points too. */
export function setPolicy(repo: CatalogHandle, name: string, changes: PolicyChanges): Policy {
	const policy = requirePolicy(repo, name);
	const next: Policy = {
		...policy,
		schedule: changes.schedule ?? policy.schedule,
		timezone: changes.timezone === undefined ? policy.timezone : assertTimezone(changes.timezone),
		retention: {...policy.retention, ...changes.retention},
	};
	assertSchedule(next.schedule, next.timezone);
	assertRetention(next.retention);
	recordingState(repo, () => updatePolicy(repo, next));
	return getPolicyById(repo, policy.id)!;
}

/** Every policy with its item count. */
export function listPolicies(repo: CatalogHandle): Policy[] {
	return listPolicyRows(repo);
}

/** A policy by name. */
export function getPolicy(repo: CatalogHandle, name: string): Policy {
	return requirePolicy(repo, name);
}

/** Removes a policy that no item uses. */
export function removePolicy(repo: CatalogHandle, name: string): void {
	recordingState(repo, () => deletePolicy(repo, name));
}

/** When a policy next runs, after `after` (default now). */
export function nextRunOf(policy: Policy, after: Date = now()): Date | undefined {
	return nextSlot(policy.schedule, policy.timezone, after);
}

/** Puts an item under a policy, or under none with `undefined`. */
export function setItemPolicy(repo: CatalogHandle, itemName: string, policyName: string | undefined): Item {
	const item = requireItem(repo, itemName);
	const policyId = policyName === undefined ? null : requirePolicy(repo, policyName).id;
	recordingState(repo, () => setItemPolicyId(repo, item.id, policyId));
	return requireItem(repo, itemName);
}
