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

/** Money with its currency: "0.42 USD". */
export function money(amount: number, price: Price): string {
	return `${amount >= 100 ? amount.toFixed(0) : amount.toFixed(2)} ${price.currency}`;
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

/** Pads or cuts text to exactly `width` columns, control characters escaped (catalog strings can hold them). */
export function fit(raw: string, width: number): string {
	if (width <= 0) return '';
	const text = printable(raw);
	return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}~` : text.padEnd(width);
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
