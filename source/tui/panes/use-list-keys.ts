/** Keys every dashboard pane shares: j/k and arrows move its selection, Enter zooms it (or opens its row, zoomed). */
import {backupDialog} from '../state/dialog-state.js';
import type {ConsoleState, PaneName} from '../state/console-state.js';
import {type KeyContext, onDashboard, startJob, useKeys} from '../hooks/use-keys.js';

export type ListKeys = {
	/** How many rows can be selected. */
	size: number;
	/** Enter in the zoomed pane: open the row under the cursor. */
	open?: (index: number) => void;
	/** The item of a row, for panes whose rows are items: b backs it up, v verifies it. */
	itemAt?: (index: number) => string | undefined;
};

/** Whether pane `name` has the keyboard. */
const paneHasKeys = (name: PaneName) => (state: ConsoleState) => onDashboard(state) && state.focus === name;

/** Wires the shared keys of dashboard pane `name`, active only while it has focus. */
export function useListKeys(context: KeyContext, name: PaneName, {size, open, itemAt}: ListKeys): void {
	const {latest, dispatch} = context;
	useKeys(context, name, paneHasKeys(name), (input, key) => {
		const state = latest.current;
		const index = state.selection[name];
		if (key.downArrow || input === 'j' || key.upArrow || input === 'k') return dispatch({type: 'move', delta: key.downArrow || input === 'j' ? 1 : -1, size});
		if (key.return) return state.view.kind === 'dashboard' ? dispatch({type: 'open', view: {kind: 'zoom', pane: name}}) : open?.(index);
		const item = itemAt?.(index);
		if (item) itemKeys(context, item, input);
	});
}

/** b and v on an item, from a pane of items or the item's points. */
export function itemKeys(context: KeyContext, item: string, input: string): void {
	if (input === 'b') context.dispatch({type: 'open-dialog', dialog: backupDialog(item)});
	if (input === 'v') startJob(context, {kind: 'verify', item});
}
