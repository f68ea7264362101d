/**
 * The header line: Strata, the repository, its items, stored bytes, monthly cost and the clock. At any width it
 * fits by giving up detail in a fixed order (the clock's year, then what the panes show too, then the path's
 * leading folders), never by cutting a word or a number in the middle.
 */
import {printable} from '../../engine/index.js';

export type HeaderFacts = {path: string; items: number; stored: string; cost: string; clock: Date};

type Part = 'name' | 'path' | 'items' | 'stored' | 'cost' | 'clock';

/** Each part's forms, longest first; an empty form drops the part. */
function forms(facts: HeaderFacts, ellipsis: string): Record<Part, string[]> {
	const iso = facts.clock.toISOString();
	const folders = printable(facts.path).split('/');
	// "…/strata-demo/repo", then "…/repo": the path keeps its last folders, whole.
	const tails = [2, 1].filter(count => folders.length > count + 1).map(count => `${ellipsis}/${folders.slice(-count).join('/')}`);
	return {
		name: ['Strata'],
		path: [printable(facts.path), ...tails, ''],
		items: [`${facts.items} items`, ''],
		stored: [`${facts.stored} stored`, facts.stored, ''],
		cost: [`${facts.cost}/mo`, ''],
		clock: [`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`, `${iso.slice(5, 10)} ${iso.slice(11, 16)} UTC`, `${iso.slice(11, 16)} UTC`, ''],
	};
}

/**
 * The order in which parts give up their next form. The repository's path is shown nowhere else, so it goes last;
 * stored bytes and cost repeat the Storage cost pane's total row, so they go first, after the clock's year.
 */
const shrinkOrder: Part[] = ['clock', 'stored', 'stored', 'cost', 'clock', 'items', 'path', 'path', 'path', 'clock'];
const order: Part[] = ['name', 'path', 'items', 'stored', 'cost', 'clock'];
const gap = '  ';

/** The header for `width` columns. */
export function fitHeader(facts: HeaderFacts, width: number, ellipsis = '…'): string {
	const all = forms(facts, ellipsis);
	const step: Record<Part, number> = {name: 0, path: 0, items: 0, stored: 0, cost: 0, clock: 0};
	const line = () => order.map(part => all[part][Math.min(step[part], all[part].length - 1)]!).filter(Boolean).join(gap);
	for (const part of shrinkOrder) {
		if (line().length <= width) break;
		step[part]++;
	}

	return line();
}
