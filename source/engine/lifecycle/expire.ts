/**
 * Expiry: which recovery points are due (derived from the item's policy, or an on-demand point's own retention),
 * and expiring them oldest first by merging each into its children. Stopped or deleted items expire nothing, and an
 * item's newest point never expires while the item exists.
 */
import {type CatalogHandle, getItemById, listItems, listPoints, newestPointId, pointItemId, policyOfItem, unchargedBytes} from '../catalog/index.js';
import {now} from '../clock.js';
import {UserError} from '../errors.js';
import {formatRecoveryPointId, type Item, type RecoveryPoint} from '../model/index.js';
import {lockItem} from '../repository-locks.js';
import type {Repository} from '../repository.js';
import {freesBytes, mergeAway} from './merge.js';
import {expiryTimes} from './retention.js';

export type ExpiryCandidate = {item: string; id: number; type: string; createdAt: string; expiresAt: string; freesBytes: number};

/** Every point of an item with its expiry derived from the item's policy now (undefined: does not expire). */
export function pointsWithExpiry(repo: CatalogHandle, item: Item): RecoveryPoint[] {
	const points = listPoints(repo, item.id);
	if (item.state !== 'active') return points.map(point => ({...point, expiresAt: undefined}));
	const policy = policyOfItem(repo, item.id);
	const expiries = expiryTimes(points, policy);
	return points.map(point => ({...point, expiresAt: expiries.get(point.id)?.toISOString()}));
}

/** The points of one item due to expire at `at`, oldest first (its newest point never is). */
function dueOf(repo: CatalogHandle, item: Item, at: Date, withFrees = true): ExpiryCandidate[] {
	if (item.state !== 'active') return [];
	const due: ExpiryCandidate[] = [];
	for (const point of pointsWithExpiry(repo, item).slice(0, -1)) {
		if (point.expiresAt === undefined || new Date(point.expiresAt).getTime() > at.getTime()) continue;
		due.push({item: item.name, id: point.id, type: point.type, createdAt: point.createdAt, expiresAt: point.expiresAt, freesBytes: withFrees ? freesBytes(repo, point.id) : 0});
	}

	return due;
}

/** The points due to expire at `at`, oldest first, with what each would free if expired now. */
export function dueExpiries(repo: CatalogHandle, at: Date = now()): ExpiryCandidate[] {
	return listItems(repo)
		.flatMap(item => dueOf(repo, item, at))
		.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
}

/** A due point left for the next run because a live restore pinned it. */
export type KeptExpiry = ExpiryCandidate & {pinnedBy: string};

export type ExpireResult = {expired: ExpiryCandidate[]; kept: KeptExpiry[]; freedBytes: number; dryRun: boolean};

export type ExpireOptions = {
	dryRun?: boolean | undefined;
	at?: Date | undefined;
	lockWaitMs?: number | undefined;
	onWait?: ((line: string) => void) | undefined;
	signal?: AbortSignal | undefined;
};

/**
 * Expires every point that is due (or only lists them with dryRun; jobs/maintenance.ts runs it as a job). Each item's
 * merges run under that item's lock (never beside its backup); a point a live restore pinned is kept for the next run.
 */
export async function expireDue(repo: Repository, options: ExpireOptions = {}): Promise<ExpireResult> {
	const at = options.at ?? now();
	if (options.dryRun) {
		const expired = dueExpiries(repo, at);
		return {expired, kept: [], freedBytes: expired.reduce((sum, point) => sum + point.freesBytes, 0), dryRun: true};
	}

	repo.guardWrite('expire');
	const before = unchargedBytes(repo);
	const expired: ExpiryCandidate[] = [];
	const kept: KeptExpiry[] = [];
	for (const item of listItems(repo).filter(candidate => dueOf(repo, candidate, at, false).length > 0)) {
		const lock = await lockItem(repo.path, item.id, {command: `expire ${item.name}`, waitMs: options.lockWaitMs, onWait: options.onWait, signal: options.signal});
		try {
			// Read again under the lock: another expiry may have merged some away meanwhile.
			for (const point of dueOf(repo, getItemById(repo, item.id) ?? item, at)) {
				const pinnedBy = mergeAway(repo, point.id, {respectPins: true, records: repo});
				if (pinnedBy === undefined) {
					repo.recordCommit();
					expired.push(point);
				} else {
					kept.push({...point, pinnedBy});
				}
			}
		} finally {
			lock.release();
		}
	}

	return {expired, kept, freedBytes: unchargedBytes(repo) - before, dryRun: false};
}

/** Expires one point now, whatever its retention (used by tests and by purges); refuses an item's newest point. */
export function expirePoint(repo: Repository, rpId: number, options: {allowNewest?: boolean} = {}): void {
	const itemId = pointItemId(repo, rpId);
	if (itemId === undefined) throw new UserError('RP_NOT_FOUND', `there is no recovery point ${formatRecoveryPointId(rpId)}`, {hint: 'See `strata points ITEM`'});
	if (newestPointId(repo, itemId) === rpId && !options.allowNewest) {
		const item = getItemById(repo, itemId)!;
		throw new UserError('NEWEST_POINT', `${formatRecoveryPointId(rpId)} is the newest recovery point of "${item.name}" and is kept while the item exists`, {hint: 'Take a newer backup first'});
	}

	const pinnedBy = mergeAway(repo, rpId, {respectPins: true, records: repo});
	if (pinnedBy !== undefined) throw new UserError('POINT_PINNED', `${formatRecoveryPointId(rpId)} is being restored by ${pinnedBy}`, {hint: 'Expire it after the restore ends'});
	repo.recordCommit();
}
