/**
 * The CLI's parsing and error mapping, run in-process through runCli with collected streams: no build, no child
 * process, no PostgreSQL (a unit test, though it lives beside the tests that drive the built CLI).
 */
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {CliIo} from '../../source/cli/command.js';
import {runCli} from '../../source/cli/run-cli.js';
import {makeTempDir} from '../helpers/tmp.js';

type Run = {code: number; stdout: string; stderr: string};

/** Runs `strata ARGV...` in this process, with a fresh HOME so no default repository of the developer's is touched. */
async function strata(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
	let stdout = '';
	let stderr = '';
	const io: CliIo = {
		stdout: {write: (text: string) => (stdout += text)},
		stderr: {write: (text: string) => (stderr += text)},
		env: {HOME: makeTempDir(), NO_COLOR: '1', ...env},
	};
	const code = await runCli(argv, io);
	return {code, stdout, stderr};
}

/** A refusal: exactly one line `strata: ...` on stderr, nothing on stdout. */
function expectOneLine(run: Run, code: number, pattern: RegExp): void {
	expect(run.code).toBe(code);
	expect(run.stdout).toBe('');
	expect(run.stderr).toMatch(/^strata: [^\n]*\n$/);
	expect(run.stderr).toMatch(pattern);
}

describe('runCli', () => {
	it('refuses an unknown flag in one line with exit 2, for strata and for a command', async () => {
		expectOneLine(await strata(['--bogus']), 2, /unknown flag --bogus for strata\. See `strata --help`/);
		expectOneLine(await strata(['points', 'vm', '--bogus']), 2, /unknown flag --bogus for `strata points`/);
		expectOneLine(await strata(['points', 'vm', '--forecast', '-5d']), 2, /a value starting with "-" is read as flags/);
	});

	it('refuses a boolean flag given a value, an unknown command and a missing argument with exit 2', async () => {
		expectOneLine(await strata(['jobs', '--json=yes']), 2, /--json takes no value \(got "yes"\)/);
		expectOneLine(await strata(['frobnicate']), 2, /unknown command "frobnicate"/);
		expectOneLine(await strata(['item', 'nothing']), 2, /unknown command "item nothing"\. Use one of: item add/);
		expectOneLine(await strata(['restore', 'vm']), 2, /`strata restore` needs RP/);
	});

	it('prints the help of strata and of a command on stdout with exit 0', async () => {
		const global = await strata(['--help']);
		expect(global).toMatchObject({code: 0, stderr: ''});
		expect(global.stdout).toMatch(/backup/);
		expect(global.stdout).toMatch(/restore/);
		const backup = await strata(['backup', '--help']);
		expect(backup).toMatchObject({code: 0, stderr: ''});
		expect(backup.stdout).toMatch(/--wait SECONDS/);
	});

	it('wraps help to 80 columns off a terminal, and to the terminal\'s width on one, under the description column', async () => {
		const piped = await strata(['item', 'add', '--help']);
		expect(piped.stdout.split('\n').filter(line => line.length > 80)).toEqual([]);
		// `--block-size BYTES` is the widest flag: descriptions start at column 22, and so do their continuations.
		expect(piped.stdout).toMatch(/^ {2}--volume PATH {7}A disk of a volume item \(repeat for several disks\)\n {22}\(repeatable\)$/m);
		let stdout = '';
		const code = await runCli(['--help'], {stdout: {write: (text: string) => (stdout += text), isTTY: true, columns: 60}, stderr: {write: () => true}, env: {}});
		expect(code).toBe(0);
		expect(stdout.split('\n').filter(line => line.length > 60)).toEqual([]);
		expect(stdout).toMatch(/^ {2}item add NAME {9}Protect a volume \(files or block\n {24}devices\) or a PostgreSQL database$/m);
	});

	it('prints the version from package.json', async () => {
		const {version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};
		expect(await strata(['--version'])).toEqual({code: 0, stdout: `${version}\n`, stderr: ''});
	});

	it('refuses a bad --wait in one line with exit 2', async () => {
		const missing = join(makeTempDir(), 'none');
		expectOneLine(await strata(['--repo', missing, 'backup', 'vm', '--wait', 'soon']), 2, /^strata: --wait "soon" is not a whole number from 0 to 31536000\. Give e\.g\. --wait 1\.$/m);
		expect(existsSync(missing)).toBe(false);
		const repo = join(makeTempDir(), 'repo');
		expect((await strata(['--repo', repo, 'init'])).code).toBe(0);
		expectOneLine(await strata(['--repo', repo, 'gc', '--wait=-1']), 2, /--wait "-1" is not a whole number/);
	});

	it('reads an empty repository as JSON', async () => {
		const repo = join(makeTempDir(), 'repo');
		const init = await strata(['--repo', repo, 'init', '--json']);
		expect(init.code).toBe(0);
		expect(JSON.parse(init.stdout)).toMatchObject({path: repo});
		expect(await strata(['--repo', repo, 'item', 'list', '--json'])).toEqual({code: 0, stdout: '[]\n', stderr: ''});
		expect(await strata(['--repo', repo, 'jobs', '--json'])).toEqual({code: 0, stdout: '[]\n', stderr: ''});
		// STRATA_REPO from io.env, not from this process's environment.
		expect(await strata(['item', 'list', '--json'], {STRATA_REPO: repo})).toEqual({code: 0, stdout: '[]\n', stderr: ''});
	});

	it('says the console needs a terminal when there is none, and a failure exits 1', async () => {
		expectOneLine(await strata([]), 2, /the console needs an interactive terminal/);
		const missing = join(makeTempDir(), 'none');
		const run = await strata(['--repo', missing, 'item', 'list']);
		expect(run.code).toBeGreaterThan(0);
		expect(run.stderr).toMatch(/^strata: [^\n]*\n$/);
		expect(existsSync(missing)).toBe(false);
	});
});
