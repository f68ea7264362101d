/** An item's recovery points: type, trigger, created, expires, owned blocks, stored bytes, cost, what expiry frees. */
import {Box, Text} from 'ink';
import {describePoint, freesBytes, listPoints, monthlyCost, type Price, printable, type RecoveryPoint, type Repository} from '../../engine/index.js';
import {Pane, type PaneLine, windowed} from '../components/pane.js';
import {money, shortBytes, shortTime} from '../format.js';
import type {Theme} from '../theme.js';

/** The item's points, oldest first (the view lists them in that order). */
export function itemPoints(repo: Repository, item: string): RecoveryPoint[] {
	return listPoints(repo, item);
}

export function PointsView({repo, item, points, selected, price, width, height, theme}: {repo: Repository; item: string; points: RecoveryPoint[]; selected: number; price: Price; width: number; height: number; theme: Theme}) {
	// The last row describes the selected point: what a PostgreSQL point captured, or a volume point's disks.
	const rows = Math.max(1, height - 5);
	const {items, offset} = windowed(points, selected, rows);
	// Below 100 columns times lose their year and the trigger is shortened, so every column still fits.
	const narrow = width < 100;
	const time = (iso: string | undefined) => (narrow ? shortTime(iso).slice(5) : shortTime(iso)).padEnd(narrow ? 11 : 16);
	const trigger = (value: string) => (narrow ? (value === 'scheduled' ? 'sched' : 'on-dem') : value).padEnd(narrow ? 6 : 9);
	const cost = (amount: number) => (narrow ? amount.toFixed(2) : money(amount, price)).padStart(narrow ? 7 : 10);
	const header = `${'ID'.padEnd(5)} ${'TYPE'.padEnd(11)} ${(narrow ? 'TRIG' : 'TRIGGER').padEnd(narrow ? 6 : 9)} ${'CREATED'.padEnd(narrow ? 11 : 16)} ${'EXPIRES'.padEnd(narrow ? 11 : 16)} ${'OWNED'.padStart(5)} ${'STORED'.padStart(6)} ${(narrow ? 'COST' : 'COST/MO').padStart(narrow ? 7 : 10)} ${'FREES'.padStart(6)}`;
	const lines: PaneLine[] = [
		{text: header, muted: true},
		...items.map((point, index) => ({
			text: `${`rp${point.id}`.padEnd(5)} ${point.type.padEnd(11)} ${trigger(point.trigger)} ${time(point.createdAt)} ${time(point.expiresAt)} ${String(point.ownedBlocks).padStart(5)} ${shortBytes(point.storedBytes).padStart(6)} ${cost(monthlyCost(point.storedBytes, price))} ${shortBytes(freesBytes(repo, point.id)).padStart(6)}`,
			selected: offset + index === selected,
		})),
	];
	if (points.length === 0) lines.push({text: 'No recovery points yet. Press b to back this item up now.', muted: true});
	else {
		while (lines.length < rows + 1) lines.push({text: ''});
		lines.push({text: pointDetail(points[selected] ?? points.at(-1)!)});
	}

	return (
		<Box flexDirection="column">
			<Pane title={`Recovery points of ${item} (${points.length}), cost per month in ${price.currency}`} lines={lines} width={width} height={height} focused theme={theme} />
		</Box>
	);
}

/** One line on a point: its base, and the database size and server version of a PostgreSQL point or the disks of a volume point. */
export function pointDetail(point: RecoveryPoint): string {
	return describePoint(point, shortBytes);
}

/** A job's full record, including its error, on Enter in the Jobs pane. */
export function JobView({lines, width, height, theme}: {lines: string[]; width: number; height: number; theme: Theme}) {
	// Escaped before wrapping, so a wrapped escape sequence cannot slip through in pieces.
	const wrapped = lines.map(line => printable(line)).flatMap(line => (line.length <= width - 4 ? [line] : line.match(new RegExp(`.{1,${Math.max(10, width - 4)}}`, 'g')) ?? [line]));
	return <Pane title="Job" lines={wrapped.map(text => ({text}))} width={width} height={height} focused theme={theme} />;
}

/** A one-line error panel at the bottom of the screen. */
export function ErrorPanel({message, theme}: {message: string; theme: Theme}) {
	return (
		<Text color={theme.error} wrap="truncate-end">
			{printable(message)}
		</Text>
	);
}
