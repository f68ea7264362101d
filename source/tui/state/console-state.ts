/** The console's state: which view is open, which pane has focus, selections, the filter and the open dialog; pure transitions. */
import {type Dialog, type DialogAction, dialogReducer} from './dialog-state.js';

/** The dashboard's panes, in their order on screen (keys 1-4). */
export const dashboardPanes = ['policies', 'jobs', 'churn', 'cost'] as const;
export type PaneName = (typeof dashboardPanes)[number];
export const paneTitles: Record<PaneName, string> = {policies: 'Policies', jobs: 'Jobs', churn: 'Churn', cost: 'Storage cost'};

export type View =
	| {kind: 'dashboard'}
	| {kind: 'zoom'; pane: PaneName}
	| {kind: 'points'; item: string}
	| {kind: 'job'; jobId: number}
	| {kind: 'help'}
	| {kind: 'quit'};

export type ConsoleState = {
	view: View;
	/** Where Esc goes back to. */
	history: View[];
	focus: PaneName;
	selection: Record<PaneName, number>;
	pointSelection: number;
	filter: string;
	filtering: boolean;
	dialog: Dialog | undefined;
	message: string | undefined;
	/** Jobs this console started (their processes), to ask before quitting while one runs. */
	launched: number[];
};

export type ConsoleAction =
	| {type: 'focus'; pane: PaneName}
	| {type: 'focus-next'; step: 1 | -1}
	| {type: 'move'; delta: number; size: number}
	| {type: 'move-point'; delta: number; size: number}
	| {type: 'open'; view: View}
	| {type: 'back'}
	| {type: 'filter-start'}
	| {type: 'filter-input'; text: string}
	| {type: 'filter-end'; keep: boolean}
	| {type: 'open-dialog'; dialog: Dialog}
	| {type: 'close-dialog'}
	| {type: 'edit-dialog'; edit: DialogAction}
	| {type: 'message'; text: string | undefined}
	| {type: 'launched'; pid: number};

export const initialState: ConsoleState = {
	view: {kind: 'dashboard'},
	history: [],
	focus: 'policies',
	selection: {policies: 0, jobs: 0, churn: 0, cost: 0},
	pointSelection: 0,
	filter: '',
	filtering: false,
	dialog: undefined,
	message: undefined,
	launched: [],
};

function clamp(value: number, size: number): number {
	return Math.max(0, Math.min(value, Math.max(0, size - 1)));
}

/** Pure transitions of the console state. */
export function consoleReducer(state: ConsoleState, action: ConsoleAction): ConsoleState {
	switch (action.type) {
		case 'focus': {
			return {...state, focus: action.pane, filter: '', filtering: false};
		}

		case 'focus-next': {
			const index = dashboardPanes.indexOf(state.focus);
			const next = dashboardPanes[(index + action.step + dashboardPanes.length) % dashboardPanes.length]!;
			return {...state, focus: next, filter: '', filtering: false};
		}

		case 'move': {
			return {...state, selection: {...state.selection, [state.focus]: clamp(state.selection[state.focus] + action.delta, action.size)}};
		}

		case 'move-point': {
			return {...state, pointSelection: clamp(state.pointSelection + action.delta, action.size)};
		}

		case 'open': {
			return {...state, history: [...state.history, state.view], view: action.view, pointSelection: action.view.kind === 'points' ? 0 : state.pointSelection, message: undefined};
		}

		case 'back': {
			if (state.dialog) return {...state, dialog: undefined};
			const previous = state.history.at(-1);
			return previous ? {...state, view: previous, history: state.history.slice(0, -1)} : {...state, filter: '', message: undefined};
		}

		case 'filter-start': {
			return {...state, filtering: true, filter: ''};
		}

		case 'filter-input': {
			return {...state, filter: action.text, selection: {...state.selection, [state.focus]: 0}};
		}

		case 'filter-end': {
			return {...state, filtering: false, filter: action.keep ? state.filter : ''};
		}

		case 'open-dialog': {
			return {...state, dialog: action.dialog};
		}

		case 'close-dialog': {
			return {...state, dialog: undefined};
		}

		case 'edit-dialog': {
			return state.dialog ? {...state, dialog: dialogReducer(state.dialog, action.edit)} : state;
		}

		case 'message': {
			return {...state, message: action.text};
		}

		case 'launched': {
			return {...state, launched: [...state.launched, action.pid]};
		}
	}
}
