/** The Storage cost pane's rows: stored bytes and money per item, then the repository total. */
import {useMemo} from 'react';
import type {PaneLine} from '../../components/pane.js';
import type {ItemRow, Snapshot} from '../../data/snapshot.js';
import {money, shortBytes} from '../../format.js';
import {filteredItems} from '../items.js';

const stateNote = (row: ItemRow) => (row.item.state === 'active' ? '' : row.item.state === 'stopped-retained' ? ' (stopped)' : ' (deleted)');

/** The pane's lines for a snapshot and filter, at a pane width. */
export function costLines(snapshot: Snapshot, filter: string, width = 80): PaneLine[] {
	const rows = filteredItems(snapshot, filter);
	if (rows.length === 0) return [{text: filter ? 'No item matches.' : 'Nothing stored yet.', muted: true}];
	const name = width < 50 ? 10 : 16;
	const line = (label: string, points: number, stored: number, cost: number) => `${label.padEnd(name)} ${String(points).padStart(4)} RPs ${shortBytes(stored).padStart(5)} ${money(cost, snapshot.cost.price).padStart(10)}`;
	return [
		...rows.map(row => ({text: line(row.item.name + stateNote(row), row.points, row.storedBytes, row.monthlyCost)})),
		{text: line('total', snapshot.cost.total.points, snapshot.cost.total.storedBytes, snapshot.cost.total.monthlyCost), muted: true},
	];
}

/** What the Storage cost pane shows: its lines and the names of the items it lists. */
export function useCostData(snapshot: Snapshot, filter: string, width: number): {lines: PaneLine[]; items: string[]} {
	return useMemo(() => ({lines: costLines(snapshot, filter, width), items: filteredItems(snapshot, filter).map(row => row.item.name)}), [snapshot, filter, width]);
}
