import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {runStrata, type StrataRun} from '../helpers/cli.js';
import {hashTree} from '../helpers/hash-tree.js';
import {makeTempDir} from '../helpers/tmp.js';

const stackLine = /^\s+at /m;

/** A failed run: exactly one `strata: ` line on stderr, nothing on stdout, no stack trace. */
function expectOneLineFailure(run: StrataRun, exitCode: 1 | 2): void {
	expect(run.exitCode, run.stderr).toBe(exitCode);
	const lines = run.stderr.split('\n').filter(line => line !== '');
	expect(lines, run.stderr).toHaveLength(1);
	expect(lines[0]).toMatch(/^strata: \S/);
	expect(run.stderr).not.toMatch(stackLine);
	expect(run.stdout).toBe('');
}

describe('strata CLI foundation', () => {
	// Given a repository with one volume item, made through the CLI as in the README's tour.
	let work: string;
	let repo: string;
	let plainFile: string;
	beforeAll(async () => {
		work = makeTempDir();
		repo = join(work, 'repo');
		plainFile = join(work, 'notes.txt');
		writeFileSync(join(work, 'disk.img'), Buffer.alloc(64 * 1024, 7));
		writeFileSync(plainFile, 'not a repository\n');
		const init = await runStrata(['--repo', repo, 'init'], {cwd: work});
		expect(init.exitCode, init.stderr).toBe(0);
		const add = await runStrata(['--repo', repo, 'item', 'add', 'vm1', '--volume', 'disk.img'], {cwd: work});
		expect(add.exitCode, add.stderr).toBe(0);
	});

	it('lists the item as JSON with its kind and sources', async () => {
		const list = await runStrata(['--repo', repo, 'item', 'list', '--json'], {cwd: work});
		expect(list.exitCode, list.stderr).toBe(0);
		expect(list.stderr).toBe('');
		const items = JSON.parse(list.stdout) as unknown;
		expect(items).toEqual([expect.objectContaining({name: 'vm1', kind: 'volume', sources: [{disk: 'disk.img', path: join(work, 'disk.img')}]})]);
	});

	it('takes the repository from STRATA_REPO when --repo is absent', async () => {
		const list = await runStrata(['item', 'list', '--json'], {env: {STRATA_REPO: repo}});
		expect(list.exitCode, list.stderr).toBe(0);
		expect((JSON.parse(list.stdout) as Array<{name: string}>).map(item => item.name)).toEqual(['vm1']);
	});

	// Each mistake: one clear line, the right exit code, and the repository (and any file named) untouched.
	const mistakes: Array<{what: string; args: () => string[]; exitCode: 1 | 2; says: RegExp}> = [
		{what: 'a second init', args: () => ['--repo', repo, 'init'], exitCode: 1, says: /already a Strata repository/},
		{what: 'a duplicate item name', args: () => ['--repo', repo, 'item', 'add', 'vm1', '--volume', 'disk.img'], exitCode: 1, says: /"vm1" already exists/},
		{what: 'a --volume that does not exist', args: () => ['--repo', repo, 'item', 'add', 'vm2', '--volume', 'missing.img'], exitCode: 1, says: /missing\.img does not exist/},
		{what: '--repo pointing at a plain file (item list)', args: () => ['--repo', plainFile, 'item', 'list'], exitCode: 1, says: /notes\.txt is a file/},
		{what: '--repo pointing at a plain file (init)', args: () => ['--repo', plainFile, 'init'], exitCode: 1, says: /notes\.txt exists and is not a folder/},
		{what: 'an unknown flag', args: () => ['--repo', repo, 'item', 'list', '--frobnicate'], exitCode: 2, says: /unknown flag --frobnicate/},
		{what: 'an unknown command', args: () => ['--repo', repo, 'frobnicate'], exitCode: 2, says: /unknown command "frobnicate"/},
		{what: 'an unknown subcommand', args: () => ['--repo', repo, 'item', 'frobnicate'], exitCode: 2, says: /unknown command "item frobnicate"/},
	];

	it.each(mistakes)('refuses $what with one line and changes nothing', async ({args, exitCode, says}) => {
		const before = hashTree(work);
		const run = await runStrata(args(), {cwd: work});
		expectOneLineFailure(run, exitCode);
		expect(run.stderr).toMatch(says);
		expect(hashTree(work)).toEqual(before);
	});

	it('shows a stack trace only with STRATA_DEBUG=1', async () => {
		const args = ['--repo', plainFile, 'item', 'list'];
		expect((await runStrata(args)).stderr).not.toMatch(stackLine);
		const debug = await runStrata(args, {env: {STRATA_DEBUG: '1'}});
		expect(debug.exitCode).toBe(1);
		expect(debug.stderr).toMatch(/^strata: /);
		expect(debug.stderr).toMatch(stackLine);
	});

	it('prints help listing the commands, exit 0', async () => {
		const help = await runStrata(['--help']);
		expect(help.exitCode, help.stderr).toBe(0);
		for (const command of ['init', 'item add NAME', 'item list', 'item remove NAME']) expect(help.stdout).toContain(command);
		expect(help.stdout).toContain('--repo PATH');
	});

	it('prints a command\'s help with its flags, exit 0', async () => {
		const help = await runStrata(['item', 'add', '--help']);
		expect(help.exitCode, help.stderr).toBe(0);
		expect(help.stdout).toContain('strata item add NAME');
		expect(help.stdout).toContain('--volume PATH');
		expect(help.stdout).toContain('--postgres DBNAME');
	});
});
