/**
 * Plain-text formatting for CLI output: aligned tables and human sizes. Every catalog string printed (names, disk
 * paths, commands) goes through printable here, as errors do, so none can send a terminal escape.
 */
import {printable} from '../engine/index.js';

/** Escapes control characters in each line of a block of output, keeping its line breaks. */
export function printableLines(text: string): string {
	return text.split('\n').map(line => printable(line)).join('\n');
}

/** What the CLI (on stderr) and the console (in its message line) say when the default repository was just created. */
export function repositoryCreated(path: string): string {
	return `created a new repository at ${printable(path)}`;
}

/** Aligns rows under headers, two spaces between columns; numbers align right. */
export function formatTable(headers: readonly string[], rawRows: ReadonlyArray<readonly string[]>): string {
	// Escaped before the widths are measured, so a cell holding a line break or an escape keeps the columns aligned.
	const rows = rawRows.map(row => row.map(cell => printable(cell)));
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map(row => (row[column] ?? '').length)));
	const isNumber = (cell: string | undefined) => /^-?[\d.,]+( ?[A-Za-z%/]+)?$/.test(cell ?? '');
	const numeric = headers.map((_, column) => rows.some(row => isNumber(row[column])) && rows.every(row => isNumber(row[column]) || row[column] === '-'));
	const line = (cells: readonly string[]) =>
		cells
			.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
			.join('  ')
			.trimEnd();
	return [line(headers), ...rows.map(row => line(row))].join('\n');
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
