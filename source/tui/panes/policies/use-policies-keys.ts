/** The Policies pane's keys, while it has focus: moving only (a policy opens nothing yet). */
import type {KeyContext} from '../../hooks/use-keys.js';
import {useListKeys} from '../use-list-keys.js';

/** Wires the Policies pane's keys. */
export function usePoliciesKeys(context: KeyContext, size: number): void {
	useListKeys(context, 'policies', {size});
}
