/** Every command line the console starts comes from launchArgs. */
import {describe, expect, it} from 'vitest';
import {launchArgs} from '../../../source/tui/data/launch.js';
import {backupDialog, restoreDialog} from '../../../source/tui/state/dialog-state.js';

describe('the arguments of detached jobs', () => {
	it('builds backup, restore and verify command lines', () => {
		expect(launchArgs({kind: 'backup', dialog: {...backupDialog('db01'), type: 'full', days: '14'}})).toEqual({args: ['backup', 'db01', '--type', 'full', '--retain-days', '14'], what: 'a backup of db01'});
		expect(launchArgs({kind: 'backup', dialog: backupDialog('db01')}).args).toEqual(['backup', 'db01', '--type', 'incremental']);
		expect(launchArgs({kind: 'restore', dialog: {...restoreDialog('web01', 3, 'path'), to: '/srv/a.img', extra: 'web.img'}})).toEqual({args: ['restore', 'web01', '3', '--to', '/srv/a.img', '--disk', 'web.img'], what: 'a restore of web01 rp3'});
		expect(launchArgs({kind: 'restore', dialog: {...restoreDialog('shop', 7, 'database'), to: 'shop_copy', extra: 'public.orders'}}).args).toEqual(['restore', 'shop', '7', '--to-db', 'shop_copy', '--table', 'public.orders']);
		expect(launchArgs({kind: 'verify', item: 'web01'})).toEqual({args: ['verify', 'web01', '--read-data'], what: 'a verify of web01'});
	});
});
