/**
 * The SQL of removing recovery points: merging one away (lifecycle/merge.ts decides what and when, inside one
 * transaction), what expiring one would free, and purging a soft-deleted item's points (lifecycle/protection.ts). "Doomed" entries are the point's block-map entries no child needs: every child
 * overwrote that block or no longer has it.
 */
import {type CatalogHandle, connectionOf} from './connection.js';

/** What a merge needs to know of a point: its base and its item's block size. */
export type PointHead = {id: number; base_id: number | null; block_size: number};

/** Entries of X that no child needs (every child overwrote them or no longer has that block), with their objects. */
const doomedEntries = `
	SELECT b.disk_id, b.block_index, b.object_id FROM block_map b
	WHERE b.rp_id = @x AND NOT EXISTS (
		SELECT 1 FROM recovery_points c JOIN rp_disks d ON d.rp_id = c.id AND d.disk_id = b.disk_id
		WHERE c.base_id = @x AND b.block_index < (d.size + @bs - 1) / @bs
		AND NOT EXISTS (SELECT 1 FROM block_map o WHERE o.rp_id = c.id AND o.disk_id = b.disk_id AND o.block_index = b.block_index)
	)`;

/** A point's base and block size, or undefined when the point is gone. */
export function pointHead(catalog: CatalogHandle, rpId: number): PointHead | undefined {
	return connectionOf(catalog).prepare('SELECT p.id, p.base_id, i.block_size FROM recovery_points p JOIN items i ON i.id = p.item_id WHERE p.id = ?').get(rpId) as PointHead | undefined;
}

/** Whether the point is a dump's (it has a recipe) rather than a volume's block map. */
export function hasRecipe(catalog: CatalogHandle, rpId: number): boolean {
	return connectionOf(catalog).prepare('SELECT 1 FROM recipes WHERE rp_id = ? LIMIT 1').get(rpId) !== undefined;
}

/** Stored bytes of the objects only this point's recipe uses (a recipe is complete: they go with it). */
export function recipeOnlyBytes(catalog: CatalogHandle, rpId: number): number {
	return connectionOf(catalog)
		.prepare(
			`SELECT coalesce(sum(o.stored_length), 0) FROM objects o WHERE o.id IN (SELECT object_id FROM recipes WHERE rp_id = @x)
			AND NOT EXISTS (SELECT 1 FROM recipes r WHERE r.object_id = o.id AND r.rp_id <> @x)
			AND NOT EXISTS (SELECT 1 FROM block_map b WHERE b.object_id = o.id)`,
		)
		.pluck()
		.get({x: rpId}) as number;
}

/** Stored bytes of the objects referenced only by the point's doomed entries. */
export function doomedOnlyBytes(catalog: CatalogHandle, rpId: number, blockSize: number): number {
	const row = connectionOf(catalog)
		.prepare(
			`WITH doomed AS (${doomedEntries}),
			counts AS (SELECT object_id, count(*) AS n FROM doomed WHERE object_id IS NOT NULL GROUP BY object_id)
			SELECT coalesce(sum(o.stored_length), 0) AS bytes FROM counts JOIN objects o ON o.id = counts.object_id
			WHERE (SELECT count(*) FROM block_map r WHERE r.object_id = counts.object_id) = counts.n`,
		)
		.get({x: rpId, bs: blockSize}) as {bytes: number};
	return row.bytes;
}

/** The points based on this one, oldest first. */
export function childrenOf(catalog: CatalogHandle, rpId: number): number[] {
	return connectionOf(catalog).prepare('SELECT id FROM recovery_points WHERE base_id = ? ORDER BY id').pluck().all(rpId) as number[];
}

/**
 * Gives `child` the entries of `parent` it did not overwrite and still has the block for; tombstones (entries saying a
 * block became zero) only with `keepTombstones`.
 */
export function carryEntries(catalog: CatalogHandle, change: {parent: number; child: number; blockSize: number; keepTombstones: boolean}): void {
	connectionOf(catalog)
		.prepare(
			`INSERT INTO block_map (rp_id, disk_id, block_index, object_id)
			SELECT @child, b.disk_id, b.block_index, b.object_id FROM block_map b
			JOIN rp_disks d ON d.rp_id = @child AND d.disk_id = b.disk_id
			WHERE b.rp_id = @x AND b.block_index < (d.size + @bs - 1) / @bs
			AND (@keepTombstones = 1 OR b.object_id IS NOT NULL)
			AND NOT EXISTS (SELECT 1 FROM block_map o WHERE o.rp_id = @child AND o.disk_id = b.disk_id AND o.block_index = b.block_index)`,
		)
		.run({child: change.child, x: change.parent, bs: change.blockSize, keepTombstones: change.keepTombstones ? 1 : 0});
}

/** Sets a point's base; a point left without one becomes a full. */
export function rebasePoint(catalog: CatalogHandle, rpId: number, baseId: number | null): void {
	connectionOf(catalog).prepare(`UPDATE recovery_points SET base_id = @base, type = CASE WHEN @base IS NULL THEN 'full' ELSE type END WHERE id = @child`).run({child: rpId, base: baseId});
}

/** Deletes what a point holds (block map, recipe, disks), not the point row itself. */
export function deletePointContents(catalog: CatalogHandle, rpId: number): void {
	const db = connectionOf(catalog);
	db.prepare('DELETE FROM block_map WHERE rp_id = ?').run(rpId);
	db.prepare('DELETE FROM recipes WHERE rp_id = ?').run(rpId);
	db.prepare('DELETE FROM rp_disks WHERE rp_id = ?').run(rpId);
}

/** The objects charged to a point. */
export function objectsChargedTo(catalog: CatalogHandle, rpId: number): number[] {
	return connectionOf(catalog).prepare('SELECT id FROM objects WHERE charged_rp_id = ?').pluck().all(rpId) as number[];
}

/** Charges each object to the oldest point still using it (block map first, then recipes), or to none: garbage. */
export function rechargeObjects(catalog: CatalogHandle, objectIds: readonly number[]): void {
	const recharge = connectionOf(catalog).prepare(
		`UPDATE objects SET charged_rp_id = coalesce(
			(SELECT min(rp_id) FROM block_map WHERE object_id = @id),
			(SELECT min(rp_id) FROM recipes WHERE object_id = @id)
		) WHERE id = @id`,
	);
	for (const id of objectIds) recharge.run({id});
}

/** The points these objects are charged to now (objects charged to none are left out). */
export function chargedPoints(catalog: CatalogHandle, objectIds: readonly number[]): Set<number> {
	const owner = connectionOf(catalog).prepare('SELECT charged_rp_id FROM objects WHERE id = ?').pluck();
	const owners = new Set<number>();
	for (const id of objectIds) {
		const rpId = owner.get(id) as number | null;
		if (rpId !== null) owners.add(rpId);
	}

	return owners;
}

/** Deletes a point's row (after its contents). */
export function deletePointRow(catalog: CatalogHandle, rpId: number): void {
	connectionOf(catalog).prepare('DELETE FROM recovery_points WHERE id = ?').run(rpId);
}

/** The item a point belongs to, or undefined when there is no such point. */
export function pointItemId(catalog: CatalogHandle, rpId: number): number | undefined {
	const row = connectionOf(catalog).prepare('SELECT item_id AS itemId FROM recovery_points WHERE id = ?').get(rpId) as {itemId: number} | undefined;
	return row?.itemId;
}

/** The id of an item's newest point (null when it has none). */
export function newestPointId(catalog: CatalogHandle, itemId: number): number | null {
	return connectionOf(catalog).prepare('SELECT max(id) FROM recovery_points WHERE item_id = ?').pluck().get(itemId) as number | null;
}

/** Deletes every point of an item with what it holds; the objects they paid for are charged to none (garbage). */
export function purgeItemPoints(catalog: CatalogHandle, itemId: number): void {
	const db = connectionOf(catalog);
	const points = db.prepare('SELECT id FROM recovery_points WHERE item_id = ?').pluck().all(itemId) as number[];
	for (const id of points) {
		deletePointContents(db, id);
		db.prepare('UPDATE objects SET charged_rp_id = NULL WHERE charged_rp_id = ?').run(id);
	}

	db.prepare('DELETE FROM recovery_points WHERE item_id = ?').run(itemId);
}
