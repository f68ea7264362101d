/**
 * Mistaken and hostile input: every bad invocation gets one clear line, a non-zero exit, and leaves the repository's
 * bytes exactly as they were. Restore never writes outside its target.
 */
import {statSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {hashTree} from '../helpers/hash-tree.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {makeDisk, writeBlock} from '../helpers/volume.js';

let dir: string;
let repo: string;
let disk: string;

beforeAll(async () => {
	dir = makeTempDir();
	repo = join(dir, 'repo');
	disk = join(dir, 'disk.img');
	const cli = strataFor(repo);
	await cli.run(['init']);
	makeDisk(disk, 4);
	writeBlock(disk, 0, 0x42);
	await cli.run(['policy', 'add', 'daily', '--schedule', 'daily@02:00', '--retain-daily', '7']);
	await cli.run(['item', 'add', 'vm', '--volume', disk, '--policy', 'daily']);
	await cli.run(['backup', 'vm']);
});

const cases: Array<[string, () => string[], 1 | 2]> = [
	['the console without a terminal', () => [], 2],
	['no command word after item', () => ['item'], 2],
	['an unknown command', () => ['explode'], 2],
	['an unknown flag', () => ['points', 'vm', '--everything'], 2],
	['a missing argument', () => ['restore', 'vm'], 2],
	['an extra argument', () => ['points', 'vm', 'extra'], 2],
	['restore without --to', () => ['restore', 'vm', '1'], 2],
	['a malformed date', () => ['backup', 'vm', '--retain-until', '2026-13-45'], 1],
	['an impossible date', () => ['backup', 'vm', '--retain-until', '2026-02-30'], 1],
	['a date in the past', () => ['backup', 'vm', '--retain-until', '2001-01-01'], 2],
	['both retentions', () => ['backup', 'vm', '--retain-days', '3', '--retain-until', '2099-01-01'], 2],
	['negative retention days', () => ['backup', 'vm', '--retain-days', '-3'], 2],
	['a bad backup type', () => ['backup', 'vm', '--type', 'partial'], 2],
	['a bad schedule', () => ['policy', 'add', 'p2', '--schedule', 'every now and then', '--retain-daily', '1'], 1],
	['negative policy retention', () => ['policy', 'set', 'daily', '--retain-weekly', '-1'], 2],
	['an item that does not exist', () => ['points', 'nope'], 1],
	['a recovery point that does not exist', () => ['restore', 'vm', '99', '--to', join(dir, 'out.img')], 1],
	['a recovery point id that is not one', () => ['restore', 'vm', '../1', '--to', join(dir, 'out.img')], 1],
	['an item name with a path separator', () => ['item', 'add', '../evil', '--volume', disk], 1],
	['an item name with a control character', () => ['item', 'add', 'bad\u001B[2Jname', '--volume', disk], 1],
	['a duplicate item', () => ['item', 'add', 'vm', '--volume', disk], 1],
	['a volume that does not exist', () => ['item', 'add', 'vm2', '--volume', join(dir, 'missing.img')], 1],
	['a volume that is a folder', () => ['item', 'add', 'vm2', '--volume', dir], 1],
	['a bad block size', () => ['item', 'add', 'vm2', '--volume', disk, '--block-size', '5000'], 1],
	['a policy that does not exist', () => ['item', 'add', 'vm2', '--volume', disk, '--policy', 'nightly'], 1],
	['restore onto the source itself', () => ['restore', 'vm', '1', '--to', disk, '--force'], 1],
	['restore inside the repository', () => ['restore', 'vm', '1', '--to', join(repo, 'packs', 'x.img'), '--force'], 1],
	['a disk the point does not have', () => ['restore', 'vm', '1', '--disk', '../../etc/passwd', '--to', join(dir, 'x')], 1],
	['protect stop without a choice', () => ['protect', 'stop', 'vm'], 2],
	['removing an item that has points', () => ['item', 'remove', 'vm'], 1],
	['removing a policy in use', () => ['policy', 'remove', 'daily'], 1],
	['undeleting an item that is not deleted', () => ['undelete', 'vm'], 1],
	['a repository that does not exist', () => ['--repo', join(dir, 'nowhere'), 'item', 'list'], 1],
];

describe('hostile and mistaken input', () => {
	it.each(cases)('%s: one line, a non-zero exit, nothing changed', async (_name, args, code) => {
		const before = hashTree(repo);
		const outside = readdirSync(dir).sort();
		const argv = args();
		const result = await runStrata(argv[0] === '--repo' ? argv : ['--repo', repo, ...argv], {env: {STRATA_NOW: '2026-06-01T00:00:00Z'}});
		expect(result.exitCode).toBe(code);
		const lines = result.stderr.trim().split('\n');
		expect(lines, result.stderr).toHaveLength(1);
		expect(lines[0]).toMatch(/^strata: \S.*\.$/);
		// eslint-disable-next-line no-control-regex
		expect(lines[0]).not.toMatch(/[\u0000-\u0008\u000B-\u001F]/);
		expect(result.stderr).not.toMatch(/\n\s+at /);
		expect(hashTree(repo)).toEqual(before);
		expect(readdirSync(dir).sort()).toEqual(outside);
	});

	it('creates the repository folder 0700 and its files 0600', () => {
		expect(statSync(repo).mode & 0o777).toBe(0o700);
		for (const entry of readdirSync(repo, {recursive: true, withFileTypes: true})) {
			const path = join(entry.parentPath, entry.name);
			expect(statSync(path).mode & 0o777, path).toBe(entry.isDirectory() ? 0o700 : 0o600);
		}
	});
});
