/** The console's keys: one useInput that turns key presses into state actions and detached jobs. */
import {type Key, useApp, useInput} from 'ink';
import type {Dispatch, RefObject} from 'react';
import {isProcessAlive, type RecoveryPoint} from '../../engine/index.js';
import {launchDetached} from '../data/launch.js';
import type {Snapshot} from '../data/snapshot.js';
import {matching, orderedJobs} from '../panes/dashboard-lines.js';
import type {ConsoleAction, ConsoleState, Dialog, PaneIndex} from './use-console-state.js';

export type KeyContext = {
	/** The newest state, also between renders. */
	state: ConsoleState;
	dispatch: Dispatch<ConsoleAction>;
	snapshot: Snapshot;
	/** The recovery points of an item (the rendered list may belong to the view before the newest key). */
	pointsOf(item: string): RecoveryPoint[];
	repositoryPath: string;
};

const backupTypes = ['incremental', 'differential', 'full'] as const;

/** The item under the cursor of the Churn or Cost pane (or of the points view). */
export function selectedItem(context: KeyContext): string | undefined {
	const {state, snapshot} = context;
	if (state.view.kind === 'points') return state.view.item;
	if (state.focus !== 2 && state.focus !== 3) return undefined;
	return matching(snapshot.items, row => row.item.name, state.filter)[state.selection[state.focus]]?.item.name;
}

function listSize(context: KeyContext): number {
	const {state, snapshot} = context;
	if (state.focus === 0) return matching(snapshot.policies, row => row.policy.name, state.filter).length;
	if (state.focus === 1) return orderedJobs(snapshot, state.filter).length;
	return matching(snapshot.items, row => row.item.name, state.filter).length;
}

function start(context: KeyContext, args: string[], what: string): void {
	const pid = launchDetached(context.repositoryPath, args);
	context.dispatch({type: 'launched', pid});
	context.dispatch({type: 'dialog', dialog: undefined});
	context.dispatch({type: 'message', text: `Started ${what} (process ${pid}); it runs on its own, follow it in the Jobs pane.`});
}

function dialogKeys(context: KeyContext, dialog: Dialog, input: string, key: {return: boolean; escape: boolean; tab: boolean; backspace: boolean; delete: boolean; leftArrow: boolean; rightArrow: boolean}): void {
	const {dispatch, snapshot} = context;
	if (key.escape) return dispatch({type: 'dialog', dialog: undefined});
	if (dialog.confirming) {
		if (input === 'n') return dispatch({type: 'dialog', dialog: {...dialog, confirming: false}});
		if (input !== 'y') return;
		if (dialog.kind === 'backup') {
			return start(context, ['backup', dialog.item, '--type', dialog.type, ...(dialog.days ? ['--retain-days', dialog.days] : [])], `a backup of ${dialog.item}`);
		}

		const postgres = snapshot.items.find(row => row.item.name === dialog.item)?.item.kind === 'postgres';
		const target = postgres ? ['--to-db', dialog.target, ...(dialog.extra ? ['--table', dialog.extra] : [])] : ['--to', dialog.target, ...(dialog.extra ? ['--disk', dialog.extra] : [])];
		return start(context, ['restore', dialog.item, String(dialog.rpId), ...target], `a restore of ${dialog.item} rp${dialog.rpId}`);
	}

	if (key.return) {
		if (dialog.kind === 'restore' && dialog.target === '') return;
		return dispatch({type: 'dialog', dialog: {...dialog, confirming: true}});
	}

	if (dialog.kind === 'backup') {
		const index = backupTypes.indexOf(dialog.type);
		if (key.leftArrow || key.rightArrow) return dispatch({type: 'dialog', dialog: {...dialog, type: backupTypes[(index + (key.rightArrow ? 1 : 2)) % 3]!}});
		if (key.backspace || key.delete) return dispatch({type: 'dialog', dialog: {...dialog, days: dialog.days.slice(0, -1)}});
		if (/^\d+$/.test(input) && dialog.days.length < 5) return dispatch({type: 'dialog', dialog: {...dialog, days: dialog.days + input}});
		return;
	}

	if (key.tab) return dispatch({type: 'dialog', dialog: {...dialog, field: dialog.field === 0 ? 1 : 0}});
	const field = dialog.field === 0 ? 'target' : 'extra';
	if (key.backspace || key.delete) return dispatch({type: 'dialog', dialog: {...dialog, [field]: dialog[field].slice(0, -1)}});
	// eslint-disable-next-line no-control-regex
	if (input && !/[\u0000-\u001F]/.test(input)) dispatch({type: 'dialog', dialog: {...dialog, [field]: dialog[field] + input}});
}

/** Wires every key of the console; `latest` holds the newest state so fast key sequences act in order. */
export function useConsoleKeys(rendered: KeyContext, latest: RefObject<ConsoleState>): void {
	const {exit} = useApp();
	const handle = (input: string, key: Key) => {
		const context = {...rendered, state: latest.current};
		const {state, dispatch, snapshot} = context;
		const points = state.view.kind === 'points' ? context.pointsOf(state.view.item) : [];
		if (state.view.kind === 'quit') {
			if (input === 'y') exit();
			else if (input === 'n' || key.escape) dispatch({type: 'back'});
			return;
		}

		if (state.dialog) return dialogKeys(context, state.dialog, input, key);
		if (state.filtering) {
			if (key.escape) return dispatch({type: 'filter-end', keep: false});
			if (key.return) return dispatch({type: 'filter-end', keep: true});
			if (key.backspace || key.delete) return dispatch({type: 'filter-input', text: state.filter.slice(0, -1)});
			// eslint-disable-next-line no-control-regex
			if (input && !/[\u0000-\u001F]/.test(input)) dispatch({type: 'filter-input', text: state.filter + input});
			return;
		}

		if (input === 'q') {
			const running = state.launched.filter(pid => isProcessAlive(pid)).length;
			return running > 0 ? dispatch({type: 'open', view: {kind: 'quit'}}) : exit();
		}

		if (input === '?') return state.view.kind === 'help' ? dispatch({type: 'back'}) : dispatch({type: 'open', view: {kind: 'help'}});
		if (key.escape) return dispatch({type: 'back'});
		if (state.view.kind === 'help' || state.view.kind === 'job') return;
		const down = key.downArrow || input === 'j';
		const up = key.upArrow || input === 'k';
		if (state.view.kind === 'points') {
			if (down || up) return dispatch({type: 'move-point', delta: down ? 1 : -1, size: points.length});
			const point = points[state.pointSelection];
			if (input === 'r' && point) return dispatch({type: 'dialog', dialog: {kind: 'restore', item: state.view.item, rpId: point.id, target: '', extra: '', field: 0, confirming: false}});
		} else {
			if (key.tab) return dispatch({type: 'focus-next', step: key.shift ? -1 : 1});
			if (/^[1-4]$/.test(input)) return dispatch({type: 'focus', pane: (Number(input) - 1) as PaneIndex});
			if (down || up) return dispatch({type: 'move', delta: down ? 1 : -1, size: listSize(context)});
			if (input === '/') return dispatch({type: 'filter-start'});
			if (key.return) {
				// Enter zooms the focused pane; in a zoomed pane it opens the selected row.
				if (state.view.kind === 'dashboard') return dispatch({type: 'open', view: {kind: 'zoom', pane: state.focus}});
				if (state.focus === 1) {
					const job = orderedJobs(snapshot, state.filter)[state.selection[1]];
					return job ? dispatch({type: 'open', view: {kind: 'job', jobId: job.id}}) : undefined;
				}

				const item = selectedItem(context);
				return item ? dispatch({type: 'open', view: {kind: 'points', item}}) : undefined;
			}
		}

		const item = selectedItem(context);
		if (input === 'b' && item) return dispatch({type: 'dialog', dialog: {kind: 'backup', item, type: 'incremental', days: '', confirming: false}});
		if (input === 'v' && item) start(context, ['verify', item, '--read-data'], `a verify of ${item}`);
	};

	useInput((input, key) => {
		// Keys that arrive together (typed fast, pasted, sent by tmux) come as one string: outside text fields, each
		// character is a key of its own.
		const typing = latest.current.dialog !== undefined || latest.current.filtering;
		if (input.length > 1 && !typing && !key.meta && !key.ctrl) {
			for (const character of input) handle(character === '\r' ? '' : character, {...key, return: character === '\r', tab: character === '\t'});
			return;
		}

		handle(input, key);
	});
}
