/** The points view's keys: j/k move, r restores the selected point, b backs the item up, v verifies it. */
import {restoreDialog} from '../../state/dialog-state.js';
import type {ConsoleState} from '../../state/console-state.js';
import {type KeyContext, useKeys} from '../../hooks/use-keys.js';
import {itemKeys} from '../use-list-keys.js';

const hasKeys = (state: ConsoleState) => state.view.kind === 'points' && !state.dialog;

/** Wires the points view's keys, active while it is open and no dialog is. */
export function usePointsKeys(context: KeyContext): void {
	const {latest, dispatch, snapshot} = context;
	useKeys(context, 'points', hasKeys, (input, key) => {
		const state = latest.current;
		if (state.view.kind !== 'points') return;
		const {item} = state.view;
		const points = context.pointsOf(item);
		if (key.downArrow || input === 'j' || key.upArrow || input === 'k') return dispatch({type: 'move-point', delta: key.downArrow || input === 'j' ? 1 : -1, size: points.length});
		const point = points[state.pointSelection];
		if (input === 'r' && point) {
			const database = snapshot.items.find(row => row.item.name === item)?.item.kind === 'postgres';
			return dispatch({type: 'open-dialog', dialog: restoreDialog(item, point.id, database ? 'database' : 'path')});
		}

		itemKeys(context, item, input);
	});
}
