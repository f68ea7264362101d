/**
 * Keys that work wherever no dialog is open: q quits (asking first while jobs started here run), ? toggles help,
 * Esc goes back, and on the dashboard Tab, Shift-Tab and 1-4 move the focus and / starts a filter. While a filter
 * is typed, its text. Each pane's own keys live in its folder (panes/<pane>/use-<pane>-keys.ts).
 */
import {useApp} from 'ink';
import {isProcessAlive} from '../../engine/index.js';
import {type ConsoleState, dashboardPanes} from '../state/console-state.js';
import {isText, type KeyContext, onDashboard, useKeys} from './use-keys.js';

const hasKeys = (state: ConsoleState) => !state.dialog && state.view.kind !== 'quit';

/** Wires the global keys, active while no dialog or quit question is open. */
export function useGlobalKeys(context: KeyContext): void {
	const {exit} = useApp();
	const {latest, dispatch} = context;
	useKeys(context, 'global', hasKeys, (input, key) => {
		const state = latest.current;
		if (state.filtering) {
			if (key.escape) return dispatch({type: 'filter-end', keep: false});
			if (key.return) return dispatch({type: 'filter-end', keep: true});
			if (key.backspace || key.delete) return dispatch({type: 'filter-input', text: state.filter.slice(0, -1)});
			if (isText(input)) dispatch({type: 'filter-input', text: state.filter + input});
			return;
		}

		if (input === 'q') {
			const running = state.launched.filter(pid => isProcessAlive(pid)).length;
			return running > 0 ? dispatch({type: 'open', view: {kind: 'quit'}}) : exit();
		}

		if (input === '?') return state.view.kind === 'help' ? dispatch({type: 'back'}) : dispatch({type: 'open', view: {kind: 'help'}});
		if (key.escape) return dispatch({type: 'back'});
		if (!onDashboard(state)) return;
		if (key.tab) return dispatch({type: 'focus-next', step: key.shift ? -1 : 1});
		if (/^[1-4]$/.test(input)) return dispatch({type: 'focus', pane: dashboardPanes[Number(input) - 1]!});
		if (input === '/') dispatch({type: 'filter-start'});
	}, {text: state => state.filtering});
}
