/** The Churn pane's keys, while it has focus. */
import type {KeyContext} from '../../hooks/use-keys.js';
import {useItemListKeys} from '../items.js';

/** Wires the Churn pane's keys over the items it lists. */
export function useChurnKeys(context: KeyContext, items: string[]): void {
	useItemListKeys(context, 'churn', items);
}
