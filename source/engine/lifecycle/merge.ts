/**
 * Merge on expiry. When a recovery point expires, each point based on it (its children) takes the entries it still
 * needs: entries a child overwrote are dropped, the rest move (to the first child) or are copied (to further children,
 * e.g. differentials of an expiring full), so every entry stays owned by exactly one point. A child of an expiring
 * full becomes a full. Objects the expired point paid for are charged to the oldest point that still references
 * them, or become garbage for `gc`.
 */
import {
	carryEntries,
	type CatalogHandle,
	chargedPoints,
	childrenOf,
	countCommit,
	deletePointContents,
	deletePointRow,
	describePin,
	doomedOnlyBytes,
	hasRecipe,
	inTransaction,
	livePins,
	objectsChargedTo,
	pointHead,
	type PointHead,
	rebasePoint,
	rechargeObjects,
	recipeOnlyBytes,
	refreshPointAggregates,
} from '../catalog/index.js';
import {crashPoint} from '../crash.js';
import {BugError} from '../errors.js';
import {type RecordBatch, type RecordTarget, withRecords} from '../store/manifest-writer.js';

function head(catalog: CatalogHandle, rpId: number): PointHead {
	const row = pointHead(catalog, rpId);
	if (!row) throw new BugError(`recovery point ${rpId} vanished during a merge`);
	return row;
}

/** Bytes that expiring this point now would free: stored bytes of objects referenced only by entries no child needs. */
export function freesBytes(catalog: CatalogHandle, rpId: number): number {
	const point = head(catalog, rpId);
	// A dump's recipe is complete: what only this recipe uses goes with it.
	if (hasRecipe(catalog, rpId)) return recipeOnlyBytes(catalog, rpId);
	return doomedOnlyBytes(catalog, rpId, point.block_size);
}

/**
 * Expires one recovery point by merging it into its children, in one transaction. With `respectPins`, a point a live
 * restore pinned is left as it is (checked in the same transaction that would merge it): returns who pins it.
 */
export function mergeAway(catalog: CatalogHandle, rpId: number, options: {respectPins?: boolean; records?: RecordTarget} = {}): string | undefined {
	// On a repository, the expired point's tombstone and the new manifests of the points it changed commit with it.
	const transaction = (body: (batch: RecordBatch | undefined) => string | undefined) => (options.records ? withRecords(options.records, body) : inTransaction(catalog, () => body(undefined)));
	const pinnedBy = transaction((records): string | undefined => {
		if (options.respectPins) {
			const pin = livePins(catalog, rpId)[0];
			if (pin) return describePin(pin);
		}

		const point = head(catalog, rpId);
		const children = childrenOf(catalog, rpId);
		for (const child of children) {
			// Without a base, a "this block is now zero" entry says nothing the absence of an entry does not.
			carryEntries(catalog, {parent: rpId, child, blockSize: point.block_size, keepTombstones: point.base_id !== null});
			rebasePoint(catalog, child, point.base_id);
		}

		deletePointContents(catalog, rpId);
		const charged = objectsChargedTo(catalog, rpId);
		rechargeObjects(catalog, charged);
		deletePointRow(catalog, rpId);
		const touched = new Set<number>([...children, ...chargedPoints(catalog, charged)]);
		for (const id of touched) refreshPointAggregates(catalog, id);
		records?.pointDeleted(rpId);
		for (const id of touched) records?.point(id);
		countCommit(catalog);
		return undefined;
	});
	if (pinnedBy === undefined) crashPoint('merge-committed');
	return pinnedBy;
}
