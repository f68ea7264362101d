/**
 * The restore dialog's keys: typing edits the focused field, Tab completes a target path (or moves to the next
 * field), Up/Down move between fields (Enter, y, n, Esc: use-dialog-keys.ts). The file system is read here, after
 * a key, never while rendering: what the target names now, and the entries a completion needs.
 */
import {isText, type KeyContext} from '../../hooks/use-keys.js';
import {useDialogKeys} from '../use-dialog-keys.js';
import {completePath} from './complete-path.js';
import {describeTarget} from './target-state.js';

/** Wires the restore dialog's keys, active while it is open. */
export function useRestoreKeys(context: KeyContext): void {
	useDialogKeys(context, 'restore', (dialog, input, key, edit) => {
		if (key.upArrow || key.downArrow) return edit({type: 'next-field'});
		if (key.tab && dialog.field === 'to' && dialog.target === 'path') edit({type: 'completed', ...completeAs(dialog.to)});
		else if (key.tab) edit({type: 'next-field'});
		else if (key.backspace || key.delete) edit({type: 'erase'});
		else if (isText(input)) edit({type: 'type-text', text: input});
		else return;
		// Say what the target path names now.
		const edited = context.latest.current.dialog;
		if (edited?.kind === 'restore' && edited.target === 'path') edit({type: 'to-checked', to: edited.to, state: describeTarget(edited.to)});
	});
}

function completeAs(to: string): {to: string; candidates: string[]} {
	const {text, candidates} = completePath(to);
	return {to: text, candidates};
}
