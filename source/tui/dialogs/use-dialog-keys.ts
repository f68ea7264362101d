/**
 * What every dialog's keys share: Esc cancels; while it asks for confirmation, n goes back to editing and y starts
 * its job; Enter reviews. The dialog's own hook handles only the editing keys of its fields.
 */
import type {Key} from 'ink';
import {type KeyContext, startJob, useKeys} from '../hooks/use-keys.js';
import type {BackupDialog, Dialog, DialogAction, RestoreDialog} from '../state/dialog-state.js';

type Edit = (action: DialogAction) => void;
type Of<Kind extends Dialog['kind']> = Kind extends 'restore' ? RestoreDialog : BackupDialog;

/** Wires the keys of the dialog of `kind`, active while it is open; `editKeys` handles the rest while editing. */
export function useDialogKeys<Kind extends Dialog['kind']>(context: KeyContext, kind: Kind, editKeys: (dialog: Of<Kind>, input: string, key: Key, edit: Edit) => void): void {
	const {latest, dispatch} = context;
	const edit: Edit = action => dispatch({type: 'edit-dialog', edit: action});
	useKeys(
		context,
		kind,
		state => state.dialog?.kind === kind,
		(input, key) => {
			const dialog = latest.current.dialog;
			if (dialog?.kind !== kind) return;
			if (key.escape) return dispatch({type: 'close-dialog'});
			if (dialog.confirming) {
				if (input === 'n') edit({type: 'edit-again'});
				if (input === 'y') startJob(context, dialog.kind === 'restore' ? {kind: 'restore', dialog} : {kind: 'backup', dialog});
				return;
			}

			if (key.return) return edit({type: 'review'});
			editKeys(dialog as Of<Kind>, input, key, edit);
		},
		// A dialog's fields take keys as typed: a pasted path comes as one piece.
		{text: () => true},
	);
}
