/** The Churn pane's rows: the last point's churn and a sparkline over recent points per item; per disk when zoomed. */
import {useMemo} from 'react';
import type {PaneLine} from '../../components/pane.js';
import type {Snapshot} from '../../data/snapshot.js';
import {sparkline} from '../../format.js';
import {filteredItems} from '../items.js';

const percent = (share: number | undefined) => (share === undefined ? '   -' : `${(share * 100).toFixed(1)}%`.padStart(6));

/** The pane's lines for a snapshot and filter. */
export function churnLines(snapshot: Snapshot, filter: string, unicode: boolean, zoomed: boolean): PaneLine[] {
	const rows = filteredItems(snapshot, filter);
	if (rows.length === 0) return [{text: filter ? 'No item matches.' : 'No items yet.', muted: true}];
	return rows.flatMap(row => [
		{text: `${row.item.name.padEnd(12)} ${percent(row.lastChurn)}  ${sparkline(row.churnSeries, unicode)}`},
		...(zoomed ? row.diskChurn.map(disk => ({text: `  ${disk.disk.padEnd(16)} ${percent(disk.churn)}`, muted: true})) : []),
	]);
}

/** What the Churn pane shows: its lines and the names of the items it lists. */
export function useChurnData(snapshot: Snapshot, filter: string, unicode: boolean, zoomed: boolean): {lines: PaneLine[]; items: string[]} {
	return useMemo(() => ({lines: churnLines(snapshot, filter, unicode, zoomed), items: filteredItems(snapshot, filter).map(row => row.item.name)}), [snapshot, filter, unicode, zoomed]);
}
