/** The quit question's keys: y quits, n or Esc stays. */
import {useApp} from 'ink';
import type {ConsoleState} from '../../state/console-state.js';
import {type KeyContext, useKeys} from '../../hooks/use-keys.js';

const hasKeys = (state: ConsoleState) => state.view.kind === 'quit';

/** Wires the quit question's keys, active while it is asked. */
export function useQuitKeys(context: KeyContext): void {
	const {exit} = useApp();
	useKeys(context, 'quit', hasKeys, (input, key) => {
		if (input === 'y') exit();
		else if (input === 'n' || key.escape) context.dispatch({type: 'back'});
	});
}
