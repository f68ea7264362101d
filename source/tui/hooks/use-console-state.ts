/** The console state as a React reducer, with a ref to the newest state for keys that arrive together. */
import {type Dispatch, type RefObject, useCallback, useReducer, useRef} from 'react';
import {type ConsoleAction, consoleReducer, type ConsoleState, initialState} from '../state/console-state.js';

/**
 * The console state and its dispatcher, plus a ref that always holds the newest state: keys typed faster than React
 * renders (a paste, tmux send-keys) must each see the state the previous key left, not the last rendered one.
 */
export function useConsoleState(): [ConsoleState, Dispatch<ConsoleAction>, RefObject<ConsoleState>] {
	const [state, dispatchToReact] = useReducer(consoleReducer, initialState);
	const latest = useRef(state);
	const dispatch = useCallback((action: ConsoleAction) => {
		latest.current = consoleReducer(latest.current, action);
		dispatchToReact(action);
	}, []);
	return [state, dispatch, latest];
}
