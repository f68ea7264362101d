/** Temporary folders for a test file, removed when the file's tests are done. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll} from 'vitest';

const made: string[] = [];

// Registered when a test file imports this helper, so it runs after that file's tests.
afterAll(() => {
	for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true});
});

/** A new empty folder that lives until the end of the current test file. */
export function makeTempDir(prefix = 'strata-test-'): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	made.push(dir);
	return dir;
}
