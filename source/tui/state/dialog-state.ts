/**
 * The dialogs' fields and their editing as a reducer over a typed action union (as ink-ui's use-select-state.ts):
 * pure, so every edit can be tested without rendering. File-system facts (what the restore target is, the entries a
 * Tab completion found) come in as action data, read by the keys hook, never while rendering.
 */

export const backupTypes = ['incremental', 'differential', 'full'] as const;
export type BackupTypeChoice = (typeof backupTypes)[number];

export type RestoreDialog = {
	kind: 'restore';
	item: string;
	/** A database name (PostgreSQL) or a file or folder path (volume): only a path completes with Tab. */
	target: 'database' | 'path';
	rpId: number;
	to: string;
	/** A table (PostgreSQL) or a disk (volume) to restore alone; empty for everything. */
	extra: string;
	field: 'to' | 'extra';
	confirming: boolean;
	/** What the path `to` names now ("new", "an existing folder" ...), read by the keys hook when it changed. */
	toState: string;
	/** The names an ambiguous Tab completion could take, shown under the field. */
	candidates: string[];
};

export type BackupDialog = {kind: 'backup'; item: string; type: BackupTypeChoice; days: string; confirming: boolean};

export type Dialog = RestoreDialog | BackupDialog;

export type DialogAction =
	| {type: 'type-text'; text: string}
	| {type: 'erase'}
	| {type: 'next-field'}
	| {type: 'cycle-type'; step: 1 | -1}
	| {type: 'review'}
	| {type: 'edit-again'}
	| {type: 'completed'; to: string; candidates: string[]}
	| {type: 'to-checked'; to: string; state: string};

const maxDays = 5;

/** A restore dialog for a point, nothing typed yet. */
export function restoreDialog(item: string, rpId: number, target: RestoreDialog['target']): RestoreDialog {
	return {kind: 'restore', item, target, rpId, to: '', extra: '', field: 'to', confirming: false, toState: 'not given yet', candidates: []};
}

/** A backup dialog for an item: incremental, kept until removed. */
export function backupDialog(item: string): BackupDialog {
	return {kind: 'backup', item, type: 'incremental', days: '', confirming: false};
}

function editRestore(dialog: RestoreDialog, action: DialogAction): RestoreDialog {
	const field = dialog.field;
	switch (action.type) {
		case 'type-text': {
			return {...dialog, [field]: dialog[field] + action.text, candidates: []};
		}

		case 'erase': {
			return {...dialog, [field]: dialog[field].slice(0, -1), candidates: []};
		}

		case 'next-field': {
			return {...dialog, field: field === 'to' ? 'extra' : 'to', candidates: []};
		}

		case 'review': {
			return dialog.to === '' ? dialog : {...dialog, confirming: true, candidates: []};
		}

		case 'completed': {
			return {...dialog, to: action.to, candidates: action.candidates};
		}

		case 'to-checked': {
			// A check of a path typed over since is stale.
			return action.to === dialog.to ? {...dialog, toState: action.state} : dialog;
		}

		default: {
			return dialog;
		}
	}
}

function editBackup(dialog: BackupDialog, action: DialogAction): BackupDialog {
	switch (action.type) {
		case 'type-text': {
			return /^\d+$/.test(action.text) && dialog.days.length + action.text.length <= maxDays ? {...dialog, days: dialog.days + action.text} : dialog;
		}

		case 'erase': {
			return {...dialog, days: dialog.days.slice(0, -1)};
		}

		case 'cycle-type': {
			const index = backupTypes.indexOf(dialog.type);
			return {...dialog, type: backupTypes[(index + action.step + backupTypes.length) % backupTypes.length]!};
		}

		case 'review': {
			return {...dialog, confirming: true};
		}

		default: {
			return dialog;
		}
	}
}

/** One edit of a dialog. While it asks for confirmation, only going back to editing changes it. */
export function dialogReducer(dialog: Dialog, action: DialogAction): Dialog {
	if (action.type === 'edit-again') return {...dialog, confirming: false};
	if (dialog.confirming) return dialog;
	return dialog.kind === 'restore' ? editRestore(dialog, action) : editBackup(dialog, action);
}
