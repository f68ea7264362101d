/** The backup dialog's keys: Left/Right choose the type, digits the days to keep (Enter, y, n, Esc: use-dialog-keys.ts). */
import type {KeyContext} from '../../hooks/use-keys.js';
import {useDialogKeys} from '../use-dialog-keys.js';

/** Wires the backup dialog's keys, active while it is open. */
export function useBackupKeys(context: KeyContext): void {
	useDialogKeys(context, 'backup', (_dialog, input, key, edit) => {
		if (key.leftArrow || key.rightArrow) edit({type: 'cycle-type', step: key.rightArrow ? 1 : -1});
		else if (key.backspace || key.delete) edit({type: 'erase'});
		else if (/^\d+$/.test(input)) edit({type: 'type-text', text: input});
	});
}
