/** Tab completion of the restore target on a real folder, as a shell completes. */
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {completeFrom, completePath} from '../../../../source/tui/dialogs/restore/complete-path.js';
import {makeTempDir} from '../../../helpers/tmp.js';

let dir: string;

beforeAll(() => {
	// Given a folder holding restore/ (a folder), restore-old.img, web01.img, a hidden .cache and a link to restore/.
	dir = makeTempDir();
	mkdirSync(join(dir, 'restore'));
	writeFileSync(join(dir, 'restore-old.img'), '');
	writeFileSync(join(dir, 'web01.img'), '');
	mkdirSync(join(dir, '.cache'));
	symlinkSync(join(dir, 'restore'), join(dir, 'linked'));
});

describe('completing a target path', () => {
	it('completes a single match, a folder with its slash', () => {
		expect(completePath(`${dir}/we`)).toEqual({text: `${dir}/web01.img`, candidates: []});
		expect(completePath(`${dir}/li`)).toEqual({text: `${dir}/linked/`, candidates: []});
	});

	it('extends several matches to their common prefix, then lists them when that adds nothing', () => {
		expect(completePath(`${dir}/r`)).toEqual({text: `${dir}/restore`, candidates: []});
		expect(completePath(`${dir}/restore`)).toEqual({text: `${dir}/restore`, candidates: ['restore/', 'restore-old.img']});
	});

	it('leaves hidden entries out unless the prefix starts with a dot, and keeps text that matches nothing', () => {
		expect(completePath(`${dir}/`).candidates).toEqual(['linked/', 'restore/', 'restore-old.img', 'web01.img']);
		expect(completePath(`${dir}/.c`).text).toBe(`${dir}/.cache/`);
		expect(completePath(`${dir}/nothing`)).toEqual({text: `${dir}/nothing`, candidates: []});
		expect(completePath(`${dir}/no-such-folder/x`)).toEqual({text: `${dir}/no-such-folder/x`, candidates: []});
	});

	it('reads a relative path against the working folder', () => {
		expect(completePath('web', dir)).toEqual({text: 'web01.img', candidates: []});
		expect(completeFrom('a/b', [{name: 'bee', directory: true}])).toEqual({text: 'a/bee/', candidates: []});
	});
});
