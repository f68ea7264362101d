/** The points view's rows: type, trigger, created, expires, owned blocks, stored bytes, cost, what expiry frees. */
import {useMemo} from 'react';
import {describePoint, formatRecoveryPointId, type Price, type RecoveryPoint} from '../../../engine/index.js';
import {type PaneLine, windowed} from '../../components/pane.js';
import type {PointRow, Snapshot} from '../../data/snapshot.js';
import {amount, money, shortBytes, shortTime} from '../../format.js';

/** One line on a point: its base, and what its source captured (a PostgreSQL point's server and sizes, a volume point's disks). */
export function pointDetail(point: RecoveryPoint): string {
	return describePoint(point, shortBytes);
}

/** The view's lines: a header, the window of points around the selection, and the selected point's detail last. */
export function pointLines(points: readonly PointRow[], selected: number, price: Price, width: number, height: number): PaneLine[] {
	// The last row describes the selected point: what a PostgreSQL point captured, or a volume point's disks.
	const rows = Math.max(1, height - 5);
	const {items, offset} = windowed(points, selected, rows);
	// Below 100 columns times lose their year and the trigger is shortened, so every column still fits.
	const narrow = width < 100;
	const time = (iso: string | undefined) => (narrow ? shortTime(iso).slice(5) : shortTime(iso)).padEnd(narrow ? 11 : 16);
	const trigger = (value: string) => (narrow ? (value === 'scheduled' ? 'sched' : 'on-dem') : value).padEnd(narrow ? 6 : 9);
	const cost = (value: number) => (narrow ? amount(value) : money(value, price)).padStart(narrow ? 7 : 10);
	const header = `${'ID'.padEnd(5)} ${'TYPE'.padEnd(11)} ${(narrow ? 'TRIG' : 'TRIGGER').padEnd(narrow ? 6 : 9)} ${'CREATED'.padEnd(narrow ? 11 : 16)} ${'EXPIRES'.padEnd(narrow ? 11 : 16)} ${'OWNED'.padStart(5)} ${'STORED'.padStart(6)} ${(narrow ? 'COST' : 'COST/MO').padStart(narrow ? 7 : 10)} ${'FREES'.padStart(6)}`;
	const lines: PaneLine[] = [
		{text: header, muted: true},
		...items.map((point, index) => ({
			text: `${formatRecoveryPointId(point.id).padEnd(5)} ${point.type.padEnd(11)} ${trigger(point.trigger)} ${time(point.createdAt)} ${time(point.expiresAt)} ${String(point.ownedBlocks).padStart(5)} ${shortBytes(point.storedBytes).padStart(6)} ${cost(point.monthlyCost)} ${shortBytes(point.freesBytes).padStart(6)}`,
			selected: offset + index === selected,
		})),
	];
	if (points.length === 0) lines.push({text: 'No recovery points yet. Press b to back this item up now.', muted: true});
	else {
		while (lines.length < rows + 1) lines.push({text: ''});
		lines.push({text: pointDetail(points[selected] ?? points.at(-1)!)});
	}

	return lines;
}

/** The points of `item` in the snapshot; undefined while the snapshot for the view is still being read. */
export function pointsOf(snapshot: Snapshot, item: string): PointRow[] | undefined {
	return snapshot.points?.item === item ? snapshot.points.rows : undefined;
}

/** What the points view shows: its lines and the points behind them. */
export function usePointsData(snapshot: Snapshot, item: string, selected: number, width: number, height: number): {lines: PaneLine[]; points: PointRow[]} {
	return useMemo(() => {
		const points = pointsOf(snapshot, item);
		// Not read yet: an empty view rather than "no recovery points", which would be wrong.
		return points ? {lines: pointLines(points, selected, snapshot.cost.price, width, height), points} : {lines: [], points: []};
	}, [snapshot, item, selected, width, height]);
}
