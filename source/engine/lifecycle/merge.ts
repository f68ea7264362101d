/**
 * Merge on expiry. When a recovery point expires, each point based on it (its children) takes the entries it still
 * needs: entries a child overwrote are dropped, the rest move (to the first child) or are copied (to further children,
 * e.g. differentials of an expiring full), so every entry stays owned by exactly one point. A child of an expiring
 * full becomes a full. Objects the expired point paid for are charged to the oldest point that still references
 * them, or become garbage for `gc`.
 */
import type {Database} from 'better-sqlite3';
import {countCommit} from '../catalog/commits.js';
import {describePin, livePins} from '../catalog/pins.js';
import {refreshPointAggregates} from '../catalog/points.js';
import {crashPoint} from '../crash.js';
import {BugError} from '../errors.js';

type PointHead = {id: number; base_id: number | null; block_size: number};

function head(db: Database, rpId: number): PointHead {
	const row = db.prepare('SELECT p.id, p.base_id, i.block_size FROM recovery_points p JOIN items i ON i.id = p.item_id WHERE p.id = ?').get(rpId) as PointHead | undefined;
	if (!row) throw new BugError(`recovery point ${rpId} vanished during a merge`);
	return row;
}

/** Entries of X that no child needs (every child overwrote them or no longer has that block), with their objects. */
const doomedEntries = `
	SELECT b.disk_id, b.block_index, b.object_id FROM block_map b
	WHERE b.rp_id = @x AND NOT EXISTS (
		SELECT 1 FROM recovery_points c JOIN rp_disks d ON d.rp_id = c.id AND d.disk_id = b.disk_id
		WHERE c.base_id = @x AND b.block_index < (d.size + @bs - 1) / @bs
		AND NOT EXISTS (SELECT 1 FROM block_map o WHERE o.rp_id = c.id AND o.disk_id = b.disk_id AND o.block_index = b.block_index)
	)`;

/** Bytes that expiring this point now would free: stored bytes of objects referenced only by entries no child needs. */
export function freesBytes(db: Database, rpId: number): number {
	const point = head(db, rpId);
	if (db.prepare('SELECT 1 FROM recipes WHERE rp_id = ? LIMIT 1').get(rpId)) {
		// A dump's recipe is complete: what only this recipe uses goes with it.
		return db
			.prepare(
				`SELECT coalesce(sum(o.stored_length), 0) FROM objects o WHERE o.id IN (SELECT object_id FROM recipes WHERE rp_id = @x)
				AND NOT EXISTS (SELECT 1 FROM recipes r WHERE r.object_id = o.id AND r.rp_id <> @x)
				AND NOT EXISTS (SELECT 1 FROM block_map b WHERE b.object_id = o.id)`,
			)
			.pluck()
			.get({x: rpId}) as number;
	}

	const row = db
		.prepare(
			`WITH doomed AS (${doomedEntries}),
			counts AS (SELECT object_id, count(*) AS n FROM doomed WHERE object_id IS NOT NULL GROUP BY object_id)
			SELECT coalesce(sum(o.stored_length), 0) AS bytes FROM counts JOIN objects o ON o.id = counts.object_id
			WHERE (SELECT count(*) FROM block_map r WHERE r.object_id = counts.object_id) = counts.n`,
		)
		.get({x: rpId, bs: point.block_size}) as {bytes: number};
	return row.bytes;
}

/**
 * Expires one recovery point by merging it into its children, in one transaction. With `respectPins`, a point a live
 * restore pinned is left as it is (checked in the same transaction that would merge it): returns who pins it.
 */
export function mergeAway(db: Database, rpId: number, options: {respectPins?: boolean} = {}): string | undefined {
	const run = db.transaction((): string | undefined => {
		if (options.respectPins) {
			const pin = livePins(db, rpId)[0];
			if (pin) return describePin(pin);
		}

		const point = head(db, rpId);
		const children = db.prepare('SELECT id FROM recovery_points WHERE base_id = ? ORDER BY id').pluck().all(rpId) as number[];
		const carry = db.prepare(
			`INSERT INTO block_map (rp_id, disk_id, block_index, object_id)
			SELECT @child, b.disk_id, b.block_index, b.object_id FROM block_map b
			JOIN rp_disks d ON d.rp_id = @child AND d.disk_id = b.disk_id
			WHERE b.rp_id = @x AND b.block_index < (d.size + @bs - 1) / @bs
			AND (@keepTombstones = 1 OR b.object_id IS NOT NULL)
			AND NOT EXISTS (SELECT 1 FROM block_map o WHERE o.rp_id = @child AND o.disk_id = b.disk_id AND o.block_index = b.block_index)`,
		);
		const rebase = db.prepare(`UPDATE recovery_points SET base_id = @base, type = CASE WHEN @base IS NULL THEN 'full' ELSE type END WHERE id = @child`);
		for (const child of children) {
			// Without a base, a "this block is now zero" entry says nothing the absence of an entry does not.
			carry.run({child, x: rpId, bs: point.block_size, keepTombstones: point.base_id === null ? 0 : 1});
			rebase.run({child, base: point.base_id});
		}

		db.prepare('DELETE FROM block_map WHERE rp_id = ?').run(rpId);
		db.prepare('DELETE FROM recipes WHERE rp_id = ?').run(rpId);
		db.prepare('DELETE FROM rp_disks WHERE rp_id = ?').run(rpId);
		const charged = db.prepare('SELECT id FROM objects WHERE charged_rp_id = ?').pluck().all(rpId) as number[];
		const recharge = db.prepare(
			`UPDATE objects SET charged_rp_id = coalesce(
				(SELECT min(rp_id) FROM block_map WHERE object_id = @id),
				(SELECT min(rp_id) FROM recipes WHERE object_id = @id)
			) WHERE id = @id`,
		);
		for (const id of charged) recharge.run({id});
		db.prepare('DELETE FROM recovery_points WHERE id = ?').run(rpId);
		const touched = new Set<number>(children);
		for (const id of charged) {
			const owner = db.prepare('SELECT charged_rp_id FROM objects WHERE id = ?').pluck().get(id) as number | null;
			if (owner !== null) touched.add(owner);
		}

		for (const id of touched) refreshPointAggregates(db, id);
		countCommit(db);
		return undefined;
	});
	const pinnedBy = run.immediate();
	if (pinnedBy === undefined) crashPoint('merge-committed');
	return pinnedBy;
}

