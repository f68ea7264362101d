/**
 * The restore dialog in the console: Tab completes the target path from a real folder, as a shell does, and the
 * dialog says what the path names, read after each key (the render reads no file).
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {render} from 'ink-testing-library';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {addVolumeItem, Repository, runBackup} from '../../../../source/engine/index.js';
import {Console} from '../../../../source/tui/console.js';
import {makeTheme} from '../../../../source/tui/theme.js';
import {flush} from '../../../helpers/ink.js';
import {makeTempDir} from '../../../helpers/tmp.js';
import {makeDisk} from '../../../helpers/volume.js';

const keys = {enter: '\r', tab: '\t', backspace: '\u007F'};
let repo: Repository;
let dir: string;

beforeAll(async () => {
	dir = makeTempDir();
	repo = Repository.init(join(dir, 'repo'));
	makeDisk(join(dir, 'web.img'), 4);
	addVolumeItem(repo, {name: 'web01', volumes: [join(dir, 'web.img')]});
	await runBackup(repo, 'web01', {trigger: 'on-demand'});
	// Where the user restores to: a folder holding restore-a/ and restore-b.img.
	mkdirSync(join(dir, 'targets', 'restore-a'), {recursive: true});
	writeFileSync(join(dir, 'targets', 'restore-b.img'), 'not empty');
});

afterAll(() => repo.close());

describe('the restore dialog', () => {
	it('completes the target with Tab: the common prefix, then the list, then a single match with its slash', async () => {
		const ui = render(<Console repo={repo} theme={makeTheme({NO_COLOR: '1', LANG: 'C.UTF-8'})} now={() => new Date('2026-03-10T09:00:00Z')} size={{columns: 100, rows: 24}} unicode />);
		const press = async (...sequence: string[]) => {
			for (const key of sequence) {
				ui.stdin.write(key);
				await flush(30);
			}
		};

		await flush();
		// Given the restore dialog of web01's only point, with the targets folder typed and a first letter.
		await press('4', keys.enter, keys.enter, 'r', `${dir}/targets/r`);
		expect(ui.lastFrame()).toContain('Restore rp1 of web01');
		// When Tab is pressed: the common prefix of restore-a/ and restore-b.img.
		await press(keys.tab);
		expect(ui.lastFrame()).toContain(`Target path: ${dir}/targets/restore-_`);
		// A second Tab adds nothing and lists the candidates.
		await press(keys.tab);
		expect(ui.lastFrame()).toMatch(/ {2}restore-a\/ {2}restore-b\.img/);
		// Typing b and Tab completes the file, and the dialog says it exists and is not empty.
		await press('b', keys.tab);
		expect(ui.lastFrame()).toContain(`Target path: ${dir}/targets/restore-b.img_`);
		expect(ui.lastFrame()).toContain('target is EXISTS and is not empty');
		// Erasing back to "restore-" and typing a completes the folder, with its slash.
		await press(...Array.from({length: 5}, () => keys.backspace), 'a', keys.tab);
		expect(ui.lastFrame()).toContain(`Target path: ${dir}/targets/restore-a/_`);
		expect(ui.lastFrame()).toContain('target is an existing folder');
		ui.unmount();
	});
});
