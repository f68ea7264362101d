/** The Storage cost pane's keys, while it has focus. */
import type {KeyContext} from '../../hooks/use-keys.js';
import {useItemListKeys} from '../items.js';

/** Wires the Storage cost pane's keys over the items it lists. */
export function useCostKeys(context: KeyContext, items: string[]): void {
	useItemListKeys(context, 'cost', items);
}
