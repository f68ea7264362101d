/** Storage cost per recovery point, per item and for the repository. */
import {type CatalogHandle, getPrice, itemTotals, monthlyCost, pointFigures, type Price, repositoryTotals, requireItem} from '../catalog/index.js';
import {freesBytes} from '../lifecycle/merge.js';

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

export type CostReport = {price: Price; items: ItemCost[]; total: {storedBytes: number; logicalBytes: number; monthlyCost: number; points: number}};

/** Cost of every item (or one, with its points). `withFrees` adds what expiring each point would free (slower). */
export function costReport(repo: CatalogHandle, options: {item?: string | undefined; withFrees?: boolean} = {}): CostReport {
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
	return {price, items, total: {...all, monthlyCost: monthlyCost(all.storedBytes, price)}};
}
