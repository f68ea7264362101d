/** Plain-text formatting for CLI output: aligned tables and human sizes. */

/** Aligns rows under headers, two spaces between columns; numbers align right. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
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
