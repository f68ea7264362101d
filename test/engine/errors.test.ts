import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {BugError, errorCodes, formatError, RuntimeError, toStrataError, UserError} from '../../source/engine/errors.js';

/** Every code a `new …Error('CODE'` in source/ names. */
function codesThrownInSource(): Set<string> {
	const found = new Set<string>();
	const root = join(import.meta.dirname, '..', '..', 'source');
	for (const entry of readdirSync(root, {recursive: true, withFileTypes: true})) {
		if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
		const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
		for (const match of text.matchAll(/new \w*Error\(\s*'([A-Z_]+)'/g)) found.add(match[1]!);
	}

	return found;
}

describe('errors', () => {
	it('carries a typed code and a hint, and says both on one line', () => {
		const error = new UserError('ITEM_NOT_FOUND', 'no item named "vm1"', {hint: 'See `strata item list` for the items in this repository'});
		expect(error.code).toBe('ITEM_NOT_FOUND');
		expect(formatError(error)).toBe('no item named "vm1". See `strata item list` for the items in this repository.');
		expect(formatError(new RuntimeError('CATALOG_BUSY', 'the catalog is busy\nwith another process.'))).toBe('the catalog is busy with another process.');
	});

	it('maps what Node and SQLite throw to stable codes, and anything else to BUG', () => {
		expect(toStrataError(Object.assign(new Error('no space'), {code: 'ENOSPC'})).code).toBe('DISK_FULL');
		expect(toStrataError(Object.assign(new Error('busy'), {code: 'SQLITE_BUSY'})).code).toBe('CATALOG_BUSY');
		const bug = toStrataError(new Error('boom'));
		expect(bug).toBeInstanceOf(BugError);
		expect(bug.code).toBe('BUG');
		expect(formatError(bug)).toMatch(/^unexpected error: boom\. This is a bug in Strata; .*\.$/);
	});

	it('lists exactly the codes the source throws', () => {
		const thrown = codesThrownInSource();
		// Given by toStrataError or the BugError constructor rather than a literal `new …Error('CODE'`.
		const indirect = new Set(['BUG']);
		expect([...thrown].filter(code => !(errorCodes as readonly string[]).includes(code))).toEqual([]);
		expect(errorCodes.filter(code => !thrown.has(code) && !indirect.has(code))).toEqual([]);
	});
});
