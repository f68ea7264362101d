/**
 * The aggregates accounting/ reads: per point and per disk figures kept at commit and merge time (owned blocks,
 * logical and stored bytes, changed blocks and bytes), summed with indexed queries, never by walking block maps.
 */
import {type CatalogHandle, connectionOf} from './connection.js';

/** One row per disk of each point of an item (a dump point: one row with `disk` null), in point then disk order. */
export type ChurnRow = {id: number; type: string; createdAt: string; pointChanged: number; meta: string; disk: string | null; changedBlocks: number | null; changedBytes: number | null; usedBytes: number | null};

/** The churn figures of an item's points, per disk. */
export function churnRows(catalog: CatalogHandle, itemId: number): ChurnRow[] {
	return connectionOf(catalog)
		.prepare(
			`SELECT p.id, p.type, p.created_at AS createdAt, p.changed_blocks AS pointChanged, p.meta, d.name AS disk,
			r.changed_blocks AS changedBlocks, r.changed_bytes AS changedBytes, coalesce(r.used_bytes, r.size) AS usedBytes
			FROM recovery_points p LEFT JOIN rp_disks r ON r.rp_id = p.id LEFT JOIN disks d ON d.id = r.disk_id
			WHERE p.item_id = ? ORDER BY p.id, d.id`,
		)
		.all(itemId) as ChurnRow[];
}

/** One row per disk of each item's newest points (a dump point: one row with `disk` null). */
export type RecentChurnRow = {id: number; itemId: number; createdAt: string; meta: string; disk: string | null; changedBytes: number | null; usedBytes: number | null};

/** The churn figures of each item's newest `count` points, in item, point and disk order: one query for every item. */
export function recentChurnRows(catalog: CatalogHandle, count: number): RecentChurnRow[] {
	return connectionOf(catalog)
		.prepare(
			`WITH recent AS (
				SELECT id, item_id, created_at, changed_blocks, meta, row_number() OVER (PARTITION BY item_id ORDER BY id DESC) AS n FROM recovery_points
			)
			SELECT r.id, r.item_id AS itemId, r.created_at AS createdAt, r.meta, d.name AS disk, s.changed_bytes AS changedBytes, coalesce(s.used_bytes, s.size) AS usedBytes
			FROM recent r LEFT JOIN rp_disks s ON s.rp_id = r.id LEFT JOIN disks d ON d.id = s.disk_id
			WHERE r.n <= ? ORDER BY r.item_id, r.id, d.id`,
		)
		.all(count) as RecentChurnRow[];
}

/** An item's totals over its points. */
export type ItemTotals = {item: string; kind: string; points: number; ownedBlocks: number; logicalBytes: number; storedBytes: number};

/** Totals per item (every item, or the one with `itemId`), in the order items were added. */
export function itemTotals(catalog: CatalogHandle, itemId?: number): ItemTotals[] {
	return connectionOf(catalog)
		.prepare(
			`SELECT i.name AS item, i.kind, count(p.id) AS points, coalesce(sum(p.owned_blocks), 0) AS ownedBlocks,
			coalesce(sum(p.logical_bytes), 0) AS logicalBytes, coalesce(sum(p.stored_bytes), 0) AS storedBytes
			FROM items i LEFT JOIN recovery_points p ON p.item_id = i.id ${itemId === undefined ? '' : 'WHERE i.id = ?'} GROUP BY i.id ORDER BY i.id`,
		)
		.all(...(itemId === undefined ? [] : [itemId])) as ItemTotals[];
}

/** A point's own figures. */
export type PointFigures = {id: number; type: string; trigger: string; created_at: string; owned_blocks: number; logical_bytes: number; stored_bytes: number};

/** The figures of an item's points in creation order. */
export function pointFigures(catalog: CatalogHandle, itemId: number): PointFigures[] {
	return connectionOf(catalog)
		.prepare('SELECT id, type, trigger, created_at, owned_blocks, logical_bytes, stored_bytes FROM recovery_points WHERE item_id = ? ORDER BY id')
		.all(itemId) as PointFigures[];
}

/** The repository's totals over every point. */
export function repositoryTotals(catalog: CatalogHandle): {points: number; storedBytes: number; logicalBytes: number} {
	return connectionOf(catalog)
		.prepare('SELECT count(*) AS points, coalesce(sum(stored_bytes), 0) AS storedBytes, coalesce(sum(logical_bytes), 0) AS logicalBytes FROM recovery_points')
		.get() as {points: number; storedBytes: number; logicalBytes: number};
}

/** An item's stored and logical bytes, and when its oldest point was made (null without points). */
export function itemStorage(catalog: CatalogHandle, itemId: number): {stored: number; logical: number; first: string | null} {
	return connectionOf(catalog)
		.prepare('SELECT coalesce(sum(stored_bytes), 0) AS stored, coalesce(sum(logical_bytes), 0) AS logical, min(created_at) AS first FROM recovery_points WHERE item_id = ?')
		.get(itemId) as {stored: number; logical: number; first: string | null};
}
