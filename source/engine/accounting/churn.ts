/** Churn: what changed per recovery point and per disk, and an item's average daily churn. */
import {type CatalogHandle, churnRows, recentChurnRows, requireItem} from '../catalog/index.js';
import {now} from '../clock.js';

export type DiskChurn = {disk: string; changedBlocks: number; changedBytes: number; usedBytes: number; churn: number};
/**
 * A point's churn. A dump point (PostgreSQL) counts its changed chunks and their bytes against the dump's size; one
 * from before Strata recorded those bytes, whose catalog could not tell them, has changedBytes and churn null (unknown).
 */
export type PointChurn = {id: number; type: string; createdAt: string; changedBlocks: number; changedBytes: number | null; usedBytes: number; churn: number | null; disks: DiskChurn[]};
export type ChurnReport = {item: string; points: PointChurn[]; averageDailyChurnBytes: {last7Days: number; last30Days: number}};

const dayMs = 24 * 60 * 60 * 1000;

/** The share of used data that changed (0 when nothing was used). */
export function churnShare(changedBytes: number, usedBytes: number): number {
	return usedBytes > 0 ? changedBytes / usedBytes : 0;
}

/** Average bytes changed per day over the `days` before `at`. */
export function averageDailyChurn(points: ReadonlyArray<{createdAt: string; changedBytes: number | null}>, days: number, at: Date): number {
	const since = at.getTime() - days * dayMs;
	const total = points.filter(point => Date.parse(point.createdAt) > since && Date.parse(point.createdAt) <= at.getTime()).reduce((sum, point) => sum + (point.changedBytes ?? 0), 0);
	return total / days;
}

/** Churn of an item's points, per disk, with its average daily churn over 7 and 30 days. */
export function churnReport(repo: CatalogHandle, itemName: string, at: Date = now()): ChurnReport {
	const item = requireItem(repo, itemName);
	const rows = churnRows(repo, item.id);
	const points = new Map<number, PointChurn>();
	for (const row of rows) {
		let point = points.get(row.id);
		if (!point) {
			point = {id: row.id, type: row.type, createdAt: row.createdAt, changedBlocks: 0, changedBytes: 0, usedBytes: 0, churn: 0, disks: []};
			points.set(row.id, point);
			if (row.disk === null) {
				// A dump: changed chunks, against the dump's size.
				const dump = dumpChurn(row.meta);
				point.changedBlocks = row.pointChanged;
				point.changedBytes = dump.changedBytes;
				point.usedBytes = dump.usedBytes;
			}
		}

		if (row.disk !== null) {
			const disk = {disk: row.disk, changedBlocks: row.changedBlocks ?? 0, changedBytes: row.changedBytes ?? 0, usedBytes: row.usedBytes ?? 0, churn: churnShare(row.changedBytes ?? 0, row.usedBytes ?? 0)};
			point.disks.push(disk);
			point.changedBlocks += disk.changedBlocks;
			point.changedBytes = (point.changedBytes ?? 0) + disk.changedBytes;
			point.usedBytes += disk.usedBytes;
		}
	}

	const list = [...points.values()].map(point => ({...point, churn: point.changedBytes === null ? null : churnShare(point.changedBytes, point.usedBytes)}));
	return {item: item.name, points: list, averageDailyChurnBytes: {last7Days: averageDailyChurn(list, 7, at), last30Days: averageDailyChurn(list, 30, at)}};
}

/** The bytes a dump point changed (null when unknown) and its dump's size, from the point's meta. */
function dumpChurn(meta: string): {changedBytes: number | null; usedBytes: number} {
	const parsed = JSON.parse(meta) as {dumpBytes?: number; changedBytes?: number};
	return {changedBytes: parsed.changedBytes ?? null, usedBytes: parsed.dumpBytes ?? 0};
}

/** `churn` is undefined for a dump point whose changed bytes are unknown. */
export type RecentChurn = {createdAt: string; churn: number | undefined; disks: Array<{disk: string; churn: number}>};

/** The churn of each item's newest `count` points (oldest first), in one query: for dashboards and sparklines. */
export function recentChurn(repo: CatalogHandle, count: number): Map<number, RecentChurn[]> {
	const rows = recentChurnRows(repo, count);
	const byItem = new Map<number, Array<RecentChurn & {id: number; changed: number | null; used: number}>>();
	for (const row of rows) {
		const list = byItem.get(row.itemId) ?? [];
		byItem.set(row.itemId, list);
		let point = list.at(-1);
		if (point?.id !== row.id) {
			const dump = row.disk === null ? dumpChurn(row.meta) : {changedBytes: 0, usedBytes: 0};
			point = {id: row.id, createdAt: row.createdAt, churn: 0, disks: [], changed: dump.changedBytes, used: dump.usedBytes};
			list.push(point);
		}

		if (row.disk !== null) {
			point.disks.push({disk: row.disk, churn: churnShare(row.changedBytes ?? 0, row.usedBytes ?? 0)});
			point.changed = (point.changed ?? 0) + (row.changedBytes ?? 0);
			point.used += row.usedBytes ?? 0;
		}

		point.churn = point.changed === null ? undefined : churnShare(point.changed, point.used);
	}

	return new Map([...byItem].map(([itemId, list]) => [itemId, list.map(({createdAt, churn, disks}) => ({createdAt, churn, disks}))]));
}
