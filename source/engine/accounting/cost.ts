/** Storage cost per recovery point, per item and for the repository. */
import {type CatalogHandle, getPrice, itemTotals, monthlyCost, pointFigures, type Price, repositoryTotals, requireItem} from '../catalog/index.js';
import {freesBytes} from '../lifecycle/merge.js';
import type {RepositoryFileBytes} from '../repository.js';

export type PointCost = {
	id: number;
	type: string;
	trigger: string;
	createdAt: string;
	ownedBlocks: number;
	logicalBytes: number;
	storedBytes: number;
	cumulativeOwnedBlocks: number;
	cumulativeStoredBytes: number;
	monthlyCost: number;
	freesBytes?: number;
};

export type ItemCost = {item: string; kind: string; points: number; ownedBlocks: number; logicalBytes: number; storedBytes: number; monthlyCost: number; rows?: PointCost[]};

/**
 * What the repository takes on disk beyond the stored bytes charged to points: the catalog, the packs' bytes no point
 * pays for (object headers, objects awaiting gc, free space) and the other files (strata.json, locks/, folders).
 */
export type Overhead = {catalogBytes: number; unchargedPackBytes: number; otherBytes: number; bytes: number; monthlyCost: number};

export type CostReport = {
	price: Price;
	items: ItemCost[];
	total: {storedBytes: number; logicalBytes: number; monthlyCost: number; points: number};
	/** Only for the whole repository, when its file sizes were given. */
	overhead?: Overhead;
	/** Charged stored bytes plus overhead: what `du -sb` says of the repository folder. */
	repositoryBytes?: number;
};

function overheadOf(files: RepositoryFileBytes, storedBytes: number, price: Price): Overhead {
	// Stored bytes are what the packs hold for points, so the rest of the packs is unpaid; never below zero, should a pack be missing.
	const unchargedPackBytes = Math.max(0, files.packBytes - storedBytes);
	const bytes = files.catalogBytes + unchargedPackBytes + files.otherBytes;
	return {catalogBytes: files.catalogBytes, unchargedPackBytes, otherBytes: files.otherBytes, bytes, monthlyCost: monthlyCost(bytes, price)};
}

/**
 * Cost of every item (or one, with its points). `withFrees` adds what expiring each point would free (slower);
 * `files` (Repository.fileBytes()) adds the repository's overhead, for the whole repository only.
 */
export function costReport(repo: CatalogHandle, options: {item?: string | undefined; withFrees?: boolean; files?: RepositoryFileBytes | undefined} = {}): CostReport {
	const price = getPrice(repo);
	const itemFilter = options.item === undefined ? undefined : requireItem(repo, options.item);
	const totals = itemTotals(repo, itemFilter?.id);
	const items: ItemCost[] = totals.map(row => ({...row, monthlyCost: monthlyCost(row.storedBytes, price)}));
	if (itemFilter) {
		const rows = pointFigures(repo, itemFilter.id);
		let cumulativeOwned = 0;
		let cumulativeStored = 0;
		items[0]!.rows = rows.map(row => {
			cumulativeOwned += row.owned_blocks;
			cumulativeStored += row.stored_bytes;
			return {
				id: row.id,
				type: row.type,
				trigger: row.trigger,
				createdAt: row.created_at,
				ownedBlocks: row.owned_blocks,
				logicalBytes: row.logical_bytes,
				storedBytes: row.stored_bytes,
				cumulativeOwnedBlocks: cumulativeOwned,
				cumulativeStoredBytes: cumulativeStored,
				monthlyCost: monthlyCost(row.stored_bytes, price),
				...(options.withFrees ? {freesBytes: freesBytes(repo, row.id)} : {}),
			};
		});
	}

	const all = repositoryTotals(repo);
	const total = {...all, monthlyCost: monthlyCost(all.storedBytes, price)};
	if (itemFilter || !options.files) return {price, items, total};
	const overhead = overheadOf(options.files, all.storedBytes, price);
	return {price, items, total, overhead, repositoryBytes: all.storedBytes + overhead.bytes};
}
