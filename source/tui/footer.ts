/** The footer: the keys that work where the console is now. */
import type {ConsoleState} from './state/console-state.js';

/** The footer line for a state. */
export function footerKeys(state: ConsoleState): string {
	if (state.view.kind === 'quit') return 'y quit  n stay';
	if (state.dialog) return state.dialog.confirming ? 'y start  n back  Esc cancel' : 'Enter review  Esc cancel';
	if (state.filtering) return `filter: ${state.filter}_  Enter keep  Esc clear`;
	if (state.view.kind === 'points') return 'j/k move  r restore  b backup  v verify  Esc back  ? help  q quit';
	if (state.view.kind === 'help' || state.view.kind === 'job') return 'Esc back  q quit';
	const zoomed = state.view.kind === 'zoom';
	const itemPane = state.focus === 'churn' || state.focus === 'cost';
	const enter = !zoomed ? 'Enter zoom' : state.focus === 'jobs' ? 'Enter job' : itemPane ? 'Enter points' : '';
	const item = itemPane ? '  b backup  v verify' : '';
	return `${zoomed ? 'Esc back' : 'Tab/1-4 pane'}  j/k move  ${enter}  / filter${item}  ? help  q quit${state.filter ? `  [filter: ${state.filter}]` : ''}`.replace(/ {4,}/g, '  ');
}
