/** Short human formats for the console's narrow columns. */
import {type Price, printable} from '../engine/index.js';

const units = ['B', 'K', 'M', 'G', 'T', 'P'];

/** 1536 -> "1.5K"; fits in 6 columns. */
export function shortBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return unit === 0 ? `${value}B` : `${value < 10 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

/**
 * An amount of money in at most 7 characters that never reads as zero when it is not: "420", "4.20", two significant
 * digits below a tenth ("0.042", "0.0031", "0.00078"), and "9.5e-9" below a hundredth of a cent (a test repository of a few
 * hundred bytes at a cloud price costs billionths a month).
 */
export function amount(value: number): string {
	if (value === 0) return '0.00';
	if (value >= 100) return value.toFixed(0);
	if (value >= 0.1) return value.toFixed(2);
	if (value >= 0.0001) return value.toPrecision(2);
	const [mantissa, exponent] = value.toExponential(1).split('e');
	return `${mantissa}e${exponent}`;
}

/** Money with its currency: "0.42 USD", "0.0031 USD". */
export function money(value: number, price: Price): string {
	return `${amount(value)} ${price.currency}`;
}

/** "2026-01-03 02:30" from an ISO instant. */
export function shortTime(iso: string | undefined): string {
	return iso ? iso.slice(0, 16).replace('T', ' ') : '-';
}

/** 75 -> "1m15s". */
export function duration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	return minutes < 60 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** The mark of cut text: "…", or "~" where the terminal shows ASCII only. */
export const ellipsisFor = (unicode: boolean): string => (unicode ? '…' : '~');

/** Pads or cuts text to exactly `width` columns, the cut marked, control characters escaped (catalog strings can hold them). */
export function fit(raw: string, width: number, ellipsis = '…'): string {
	if (width <= 0) return '';
	const text = printable(raw);
	return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}${ellipsis}` : text.padEnd(width);
}

export type Column = {align?: 'left' | 'right'; /** Cut to this many columns at the least when the row is too wide. */ shrinkTo?: number};

/**
 * Lays rows of cells out in aligned columns within `width`: each column as wide as its widest cell, the shrinkable
 * ones cut (marked) when the whole does not fit. Cells past the given columns run on freely and are cut at the end.
 */
export function columns(rows: readonly string[][], spec: readonly Column[], width: number, ellipsis = '…'): string[] {
	const widths = spec.map((_, index) => Math.max(0, ...rows.map(row => printable(row[index] ?? '').length)));
	const fixed = () => widths.reduce((sum, value) => sum + value + 1, 0);
	const widest = Math.max(0, ...rows.map(row => row.slice(spec.length).join(' ').length));
	let over = fixed() + widest - width;
	for (const [index, column] of spec.entries()) {
		if (over <= 0 || column.shrinkTo === undefined) continue;
		const cut = Math.min(over, Math.max(0, widths[index]! - column.shrinkTo));
		widths[index] = widths[index]! - cut;
		over -= cut;
	}

	return rows.map(row => {
		const cells = spec.map((column, index) => {
			const cell = fit(row[index] ?? '', widths[index]!, ellipsis);
			return column.align === 'right' ? cell.trimEnd().padStart(widths[index]!) : cell;
		});
		const line = [...cells, ...row.slice(spec.length)].join(' ').trimEnd();
		return line.length > width ? fit(line, width, ellipsis) : line;
	});
}

/** A bar of `width` cells for a share from 0 to 1. */
export function bar(share: number, width: number, unicode: boolean): string {
	const filled = Math.round(Math.max(0, Math.min(1, share)) * width);
	return (unicode ? '█' : '#').repeat(filled) + (unicode ? '░' : '.').repeat(width - filled);
}

/** A sparkline of values scaled to their maximum. */
export function sparkline(values: readonly number[], unicode: boolean): string {
	const levels = unicode ? '▁▂▃▄▅▆▇█' : '_.-=+*#@';
	const max = Math.max(...values, 0);
	return values.map(value => levels[max === 0 ? 0 : Math.min(levels.length - 1, Math.floor((value / max) * (levels.length - 1)))]).join('');
}
