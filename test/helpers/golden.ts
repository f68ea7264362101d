/** Golden terminal frames in snapshots/: a whole rendered frame compared with a reviewed text file. */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {expect} from 'vitest';

const snapshotsDir = fileURLToPath(new URL('../../snapshots/', import.meta.url));

function isCi(): boolean {
	const value = process.env['CI'];
	return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * Compares `frame` with snapshots/NAME.txt; writes that file when UPDATE_GOLDEN=1, or when it is missing outside CI
 * (in CI a missing golden fails: it was not committed).
 */
export function expectGolden(name: string, frame: string | undefined): void {
	expect(frame, `no frame rendered for golden ${name}`).toBeTypeOf('string');
	const path = `${snapshotsDir}${name}.txt`;
	const text = `${frame!}\n`;
	const missing = !existsSync(path);
	expect(missing && isCi(), `snapshots/${name}.txt is missing; render it locally and commit it`).toBe(false);
	if (process.env['UPDATE_GOLDEN'] === '1' || missing) {
		mkdirSync(snapshotsDir, {recursive: true});
		writeFileSync(path, text);
		return;
	}

	expect(text, `frame differs from snapshots/${name}.txt (rerun with UPDATE_GOLDEN=1 if the change is intended)`).toBe(readFileSync(path, 'utf8'));
}
