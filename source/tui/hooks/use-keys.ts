/**
 * How keys reach the part of the console that has focus. Each part's keys hook (`useKeys`) declares when it owns
 * the keyboard and what each key does; one `useInput` (`useKeyboard`, in the root) reads the keyboard and hands
 * every key to the hooks that own it in the newest state. Ink's own `isActive` follows the rendered state, which
 * lags keys sent together (typed fast, pasted, sent by tmux): under load, a key 30 ms after the one that moved the
 * focus still reached the pane that had it, so routing decides on the newest state instead.
 */
import {type Key, useInput} from 'ink';
import type {Dispatch, RefObject} from 'react';
import type {RecoveryPoint} from '../../engine/index.js';
import {launchArgs, launchDetached, type LaunchRequest} from '../data/launch.js';
import type {Snapshot} from '../data/snapshot.js';
import type {ConsoleAction, ConsoleState, View} from '../state/console-state.js';

export type KeyHandler = (input: string, key: Key) => void;

type Owner = {
	/** Whether this part has the keyboard in a state. */
	owns: (state: ConsoleState) => boolean;
	handle: KeyHandler;
	/** Whether it is a text field now: keys that arrive together are then typed as one piece (a paste). */
	text?: ((state: ConsoleState) => boolean) | undefined;
};

export type KeyContext = {
	/** The newest state, also between renders: keys sent together must each see what the previous one left. */
	latest: RefObject<ConsoleState>;
	dispatch: Dispatch<ConsoleAction>;
	snapshot: Snapshot;
	repositoryPath: string;
	/**
	 * An item's points: the snapshot's when it holds them, else read now. A key sent right after the points view
	 * opened may come before the snapshot with its points did, and must act on the points all the same.
	 */
	pointsOf: (item: string) => RecoveryPoint[];
	/** Opens a view, reading its data first (an item's points, a job) so that its first frame shows them. */
	open: (view: View) => void;
	/** The keys hooks of this render, by name. */
	owners: RefObject<Map<string, Owner>>;
};

/** Whether a key is text to type into a field: printable, no control character. */
// eslint-disable-next-line no-control-regex
export const isText = (input: string): boolean => input !== '' && !/[\u0000-\u001F]/.test(input);

/** Declares the keys of part `name` of the console, handled only while `owns` holds (its pane has focus, its dialog is open). */
export function useKeys(context: KeyContext, name: string, owns: Owner['owns'], handle: KeyHandler, options: {text?: Owner['text']} = {}): void {
	// Set on every render, so the handler sees that render's data (the rows a pane shows).
	context.owners.current.set(name, {owns, handle, text: options.text});
}

/** The one `useInput` of the console: splits keys that arrive together and routes each to the parts that own it. */
export function useKeyboard(context: KeyContext): void {
	const {latest, owners} = context;
	useInput((input, key) => {
		const owning = () => [...owners.current.values()].filter(owner => owner.owns(latest.current));
		const typing = owning().some(owner => owner.text?.(latest.current));
		// Outside text fields each character of a run is a key of its own.
		const keys: Array<[string, Key]> = input.length > 1 && !typing && !key.meta && !key.ctrl ? [...input].map(character => [character === '\r' ? '' : character, {...key, return: character === '\r', tab: character === '\t'}]) : [[input, key]];
		for (const [one, oneKey] of keys) for (const owner of owning()) owner.handle(one, oneKey);
	});
}

/** Starts a job detached, remembers its process and says where to follow it. */
export function startJob(context: KeyContext, request: LaunchRequest): void {
	const {args, what} = launchArgs(request);
	const pid = launchDetached(context.repositoryPath, args);
	context.dispatch({type: 'launched', pid});
	context.dispatch({type: 'close-dialog'});
	context.dispatch({type: 'message', text: `Started ${what} (process ${pid}); it runs on its own, follow it in the Jobs pane.`});
}

/** Whether the dashboard (or one of its panes, zoomed) has the keyboard: no dialog, no filter being typed. */
export function onDashboard(state: ConsoleState): boolean {
	return (state.view.kind === 'dashboard' || state.view.kind === 'zoom') && !state.dialog && !state.filtering;
}
