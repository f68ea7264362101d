/** The filter every pane applies: a case-insensitive substring of a row's name. */

/** Filters rows by a case-insensitive substring of their name. */
export function matching<T>(rows: readonly T[], name: (row: T) => string, filter: string): T[] {
	const needle = filter.toLowerCase();
	return needle === '' ? [...rows] : rows.filter(row => name(row).toLowerCase().includes(needle));
}
