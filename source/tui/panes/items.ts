/** The rows of the panes that list items (Churn, Storage cost): the snapshot's items the filter lets through. */
import type {ItemRow, Snapshot} from '../data/snapshot.js';
import type {KeyContext} from '../hooks/use-keys.js';
import type {PaneName} from '../state/console-state.js';
import {matching} from './matching.js';
import {useListKeys} from './use-list-keys.js';

/** The items a pane of items shows under a filter. */
export function filteredItems(snapshot: Snapshot, filter: string): ItemRow[] {
	return matching(snapshot.items, row => row.item.name, filter);
}

/** Keys of a pane of items: Enter in the zoomed pane opens the item's points; b backs it up, v verifies it. */
export function useItemListKeys(context: KeyContext, name: PaneName, items: string[]): void {
	useListKeys(context, name, {
		size: items.length,
		itemAt: index => items[index],
		open(index) {
			const item = items[index];
			if (item) context.open({kind: 'points', item});
		},
	});
}
