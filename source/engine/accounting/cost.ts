/** Storage cost per recovery point, per item and for the repository. */
import {requireItem} from '../catalog/items.js';
import {freesBytes} from '../lifecycle/merge.js';
import type {Repository} from '../repository.js';
import {getPrice, monthlyCost, type Price} from '../settings.js';

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

type PointRow = {id: number; type: string; trigger: string; created_at: string; owned_blocks: number; logical_bytes: number; stored_bytes: number};

/** Cost of every item (or one, with its points). `withFrees` adds what expiring each point would free (slower). */
export function costReport(repo: Repository, options: {item?: string | undefined; withFrees?: boolean} = {}): CostReport {
	const price = getPrice(repo);
	const {db} = repo;
	const itemFilter = options.item === undefined ? undefined : requireItem(db, options.item);
	const totals = db
		.prepare(
			`SELECT i.name AS item, i.kind, count(p.id) AS points, coalesce(sum(p.owned_blocks), 0) AS ownedBlocks,
			coalesce(sum(p.logical_bytes), 0) AS logicalBytes, coalesce(sum(p.stored_bytes), 0) AS storedBytes
			FROM items i LEFT JOIN recovery_points p ON p.item_id = i.id ${itemFilter ? 'WHERE i.id = ?' : ''} GROUP BY i.id ORDER BY i.id`,
		)
		.all(...(itemFilter ? [itemFilter.id] : [])) as Array<Omit<ItemCost, 'monthlyCost'>>;
	const items: ItemCost[] = totals.map(row => ({...row, monthlyCost: monthlyCost(row.storedBytes, price)}));
	if (itemFilter) {
		const rows = db
			.prepare('SELECT id, type, trigger, created_at, owned_blocks, logical_bytes, stored_bytes FROM recovery_points WHERE item_id = ? ORDER BY id')
			.all(itemFilter.id) as PointRow[];
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
				...(options.withFrees ? {freesBytes: freesBytes(db, row.id)} : {}),
			};
		});
	}

	const all = db
		.prepare('SELECT count(*) AS points, coalesce(sum(stored_bytes), 0) AS storedBytes, coalesce(sum(logical_bytes), 0) AS logicalBytes FROM recovery_points')
		.get() as {points: number; storedBytes: number; logicalBytes: number};
	return {price, items, total: {...all, monthlyCost: monthlyCost(all.storedBytes, price)}};
}
