/** The dialogs' editing as pure reducer steps. */
import {describe, expect, it} from 'vitest';
import {backupDialog, type Dialog, type DialogAction, dialogReducer, type RestoreDialog, restoreDialog} from '../../../source/tui/state/dialog-state.js';

const apply = (dialog: Dialog, ...actions: DialogAction[]) => actions.reduce(dialogReducer, dialog);
const applyRestore = (dialog: RestoreDialog, ...actions: DialogAction[]) => apply(dialog, ...actions) as RestoreDialog;

describe('the restore dialog', () => {
	it('types into the focused field, erases, and moves between fields', () => {
		const dialog = apply(restoreDialog('web01', 3, 'path'), {type: 'type-text', text: '/srv/x'}, {type: 'erase'}, {type: 'next-field'}, {type: 'type-text', text: 'web.img'});
		expect(dialog).toMatchObject({to: '/srv/', extra: 'web.img', field: 'extra', confirming: false});
	});

	it('reviews only with a target, and goes back to editing with n', () => {
		expect(apply(restoreDialog('web01', 3, 'path'), {type: 'review'}).confirming).toBe(false);
		const reviewing = apply(restoreDialog('web01', 3, 'path'), {type: 'type-text', text: '/srv/a.img'}, {type: 'review'});
		expect(reviewing.confirming).toBe(true);
		// While it asks, typing changes nothing.
		expect(apply(reviewing, {type: 'type-text', text: 'zzz'})).toEqual(reviewing);
		expect(apply(reviewing, {type: 'edit-again'}).confirming).toBe(false);
	});

	it('takes a completion with its candidates, and forgets the candidates on the next edit', () => {
		const completed = apply(restoreDialog('web01', 3, 'path'), {type: 'type-text', text: '/srv/re'}, {type: 'completed', to: '/srv/restore', candidates: ['restore/', 'restore.img']});
		expect(completed).toMatchObject({to: '/srv/restore', candidates: ['restore/', 'restore.img']});
		expect(applyRestore(completed as RestoreDialog, {type: 'type-text', text: '/'}).candidates).toEqual([]);
	});

	it('keeps what the target names only for the path it was read for', () => {
		const typed = apply(restoreDialog('web01', 3, 'path'), {type: 'type-text', text: '/srv/a.img'});
		expect(applyRestore(typed as RestoreDialog, {type: 'to-checked', to: '/srv/a.img', state: 'new'}).toState).toBe('new');
		expect(applyRestore(typed as RestoreDialog, {type: 'to-checked', to: '/srv/a.im', state: 'exists, empty'}).toState).toBe('not given yet');
	});
});

describe('the backup dialog', () => {
	it('cycles the type both ways and takes up to five digits of days', () => {
		const dialog = apply(backupDialog('db01'), {type: 'cycle-type', step: 1}, {type: 'type-text', text: '1'}, {type: 'type-text', text: 'x'}, {type: 'type-text', text: '4'});
		expect(dialog).toMatchObject({type: 'differential', days: '14'});
		expect(apply(backupDialog('db01'), {type: 'cycle-type', step: -1})).toMatchObject({type: 'full'});
		expect(apply(backupDialog('db01'), ...Array.from({length: 7}, () => ({type: 'type-text', text: '9'}) as const))).toMatchObject({days: '99999'});
		expect(apply(backupDialog('db01'), {type: 'review'}).confirming).toBe(true);
	});
});
