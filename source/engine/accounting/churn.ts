/** Churn: what changed per recovery point and per disk, and an item's average daily churn. */
import {requireItem} from '../catalog/items.js';
import {now} from '../clock.js';
import type {Repository} from '../repository.js';

export type DiskChurn = {disk: string; changedBlocks: number; changedBytes: number; usedBytes: number; churn: number};
export type PointChurn = {id: number; type: string; createdAt: string; changedBlocks: number; changedBytes: number; usedBytes: number; churn: number; disks: DiskChurn[]};
export type ChurnReport = {item: string; points: PointChurn[]; averageDailyChurnBytes: {last7Days: number; last30Days: number}};

const dayMs = 24 * 60 * 60 * 1000;

/** The share of used data that changed (0 when nothing was used). */
export function churnShare(changedBytes: number, usedBytes: number): number {
	return usedBytes > 0 ? changedBytes / usedBytes : 0;
}

/** The incremental storage a churn share of a data size costs before compression: 5% of 8 TB is 0.4 TB. */
export function incrementalBytesFor(usedBytes: number, share: number): number {
	return usedBytes * share;
}

/** Average bytes changed per day over the `days` before `at`. */
export function averageDailyChurn(points: ReadonlyArray<{createdAt: string; changedBytes: number}>, days: number, at: Date): number {
	const since = at.getTime() - days * dayMs;
	const total = points.filter(point => Date.parse(point.createdAt) > since && Date.parse(point.createdAt) <= at.getTime()).reduce((sum, point) => sum + point.changedBytes, 0);
	return total / days;
}

/** Churn of an item's points, per disk, with its average daily churn over 7 and 30 days. */
export function churnReport(repo: Repository, itemName: string, at: Date = now()): ChurnReport {
	const item = requireItem(repo.db, itemName);
	const rows = repo.db
		.prepare(
			`SELECT p.id, p.type, p.created_at AS createdAt, p.changed_blocks AS pointChanged, p.meta, d.name AS disk,
			r.changed_blocks AS changedBlocks, r.changed_bytes AS changedBytes, coalesce(r.used_bytes, r.size) AS usedBytes
			FROM recovery_points p LEFT JOIN rp_disks r ON r.rp_id = p.id LEFT JOIN disks d ON d.id = r.disk_id
			WHERE p.item_id = ? ORDER BY p.id, d.id`,
		)
		.all(item.id) as Array<{id: number; type: string; createdAt: string; pointChanged: number; meta: string; disk: string | null; changedBlocks: number | null; changedBytes: number | null; usedBytes: number | null}>;
	const points = new Map<number, PointChurn>();
	for (const row of rows) {
		let point = points.get(row.id);
		if (!point) {
			point = {id: row.id, type: row.type, createdAt: row.createdAt, changedBlocks: 0, changedBytes: 0, usedBytes: 0, churn: 0, disks: []};
			points.set(row.id, point);
			if (row.disk === null) {
				// A dump: changed chunks, against the dump's size.
				const meta = JSON.parse(row.meta) as {dumpBytes?: number};
				point.changedBlocks = row.pointChanged;
				point.usedBytes = meta.dumpBytes ?? 0;
			}
		}

		if (row.disk !== null) {
			const disk = {disk: row.disk, changedBlocks: row.changedBlocks ?? 0, changedBytes: row.changedBytes ?? 0, usedBytes: row.usedBytes ?? 0, churn: churnShare(row.changedBytes ?? 0, row.usedBytes ?? 0)};
			point.disks.push(disk);
			point.changedBlocks += disk.changedBlocks;
			point.changedBytes += disk.changedBytes;
			point.usedBytes += disk.usedBytes;
		}
	}

	const list = [...points.values()].map(point => ({...point, churn: churnShare(point.changedBytes, point.usedBytes)}));
	return {item: item.name, points: list, averageDailyChurnBytes: {last7Days: averageDailyChurn(list, 7, at), last30Days: averageDailyChurn(list, 30, at)}};
}
