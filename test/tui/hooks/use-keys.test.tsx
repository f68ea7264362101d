/** Keys reach the part of the console that has focus in the newest state, also when they arrive in one piece. */
import {join} from 'node:path';
import {render} from 'ink-testing-library';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {addVolumeItem, Repository, runBackup} from '../../../source/engine/index.js';
import {Console} from '../../../source/tui/console.js';
import {makeTheme} from '../../../source/tui/theme.js';
import {flush} from '../../helpers/ink.js';
import {makeTempDir} from '../../helpers/tmp.js';
import {makeDisk, writeBlock} from '../../helpers/volume.js';

let repo: Repository;

beforeAll(async () => {
	const dir = makeTempDir();
	repo = Repository.init(join(dir, 'repo'));
	makeDisk(join(dir, 'a.img'), 4);
	addVolumeItem(repo, {name: 'alpha', volumes: [join(dir, 'a.img')]});
	await runBackup(repo, 'alpha', {trigger: 'on-demand'});
	writeBlock(join(dir, 'a.img'), 1, 7);
	await runBackup(repo, 'alpha', {trigger: 'on-demand'});
});

afterAll(() => repo.close());

describe('the key router', () => {
	it('hands each key of a run sent in one write (as tmux send-keys does) to the part that has focus after the key before', async () => {
		const ui = render(<Console repo={repo} theme={makeTheme({NO_COLOR: '1', LANG: 'C.UTF-8'})} now={() => new Date('2026-03-10T09:00:00Z')} size={{columns: 100, rows: 24}} unicode />);
		await flush();
		// 4 focuses Storage cost, Enter zooms it, Enter opens alpha's points, j selects the second, r opens its restore.
		ui.stdin.write('4\r\rjr');
		await flush(100);
		expect(ui.lastFrame()).toContain('Restore rp2 of alpha');
		// In the dialog, a pasted path arrives whole, as typed text, not as keys.
		ui.stdin.write('/srv/j/q');
		await flush(100);
		expect(ui.lastFrame()).toContain('Target path: /srv/j/q_');
		ui.unmount();
	});
});
