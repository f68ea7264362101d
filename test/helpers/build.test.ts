/**
 * The stale-build guard the integration setup relies on: staleBuild must name a source file whose built .js is
 * missing or older, and nothing once the build is newer. On a real temp tree with real mtimes.
 */
import {mkdirSync, utimesSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {staleBuild} from './build.js';
import {makeTempDir} from './tmp.js';

function tree() {
	const root = makeTempDir('strata-build-');
	mkdirSync(join(root, 'source', 'engine'), {recursive: true});
	mkdirSync(join(root, 'dist', 'engine'), {recursive: true});
	const source = join(root, 'source', 'engine', 'a.ts');
	const built = join(root, 'dist', 'engine', 'a.js');
	writeFileSync(source, 'export const a = 1;\n');
	writeFileSync(join(root, 'source', 'engine', 'types.d.ts'), 'export {};\n');
	return {root, source, built};
}

describe('staleBuild', () => {
	it('names a source file whose build is missing', () => {
		const {root} = tree();
		expect(staleBuild(root)).toBe(join('source', 'engine', 'a.ts'));
	});

	it('names a source file changed after its build, and nothing once the build is newer', () => {
		const {root, source, built} = tree();
		writeFileSync(built, 'export const a = 1;\n');
		utimesSync(built, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
		utimesSync(source, new Date('2026-01-02T00:00:00Z'), new Date('2026-01-02T00:00:00Z'));
		expect(staleBuild(root)).toBe(join('source', 'engine', 'a.ts'));

		utimesSync(built, new Date('2026-01-03T00:00:00Z'), new Date('2026-01-03T00:00:00Z'));
		// The .d.ts beside it has no build of its own and must not count as stale.
		expect(staleBuild(root)).toBeUndefined();
	});
});
