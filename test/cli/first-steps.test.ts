/**
 * A new user's first steps: the README's first command leaves `strata` on the PATH, and the CLI and the console
 * agree on the default repository (created on first use, with one line saying where), while a repository named by
 * --repo or STRATA_REPO is never created by a typo.
 */
import {accessSync, constants, existsSync, mkdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/tmp.js';
import {capture, killAllSessions, sendKeys, tmux, waitForScreen} from '../helpers/tmux.js';
import {makeDisk} from '../helpers/volume.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
afterAll(killAllSessions);

/** A fresh home for a new user: nothing under XDG_DATA_HOME yet. */
function newUser() {
	const dir = makeTempDir();
	const env = {HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data')};
	mkdirSync(env.HOME);
	return {dir, env, defaultRepo: join(env.XDG_DATA_HOME, 'strata')};
}

async function fileWritten(path: string, timeoutMs = 30_000): Promise<string> {
	for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
		if (existsSync(path)) return readFileSync(path, 'utf8');
	}

	throw new Error(`${path} was never written`);
}

describe('the README\'s first command', () => {
	it('installs and runs, leaving `strata` on the PATH (npm link into a global prefix)', async () => {
		// The first line of the README's first block: install, link, run; then the tests.
		const readme = readFileSync(join(root, 'README.md'), 'utf8');
		const block = /```sh\n([^]*?)```/.exec(readme)![1]!.trim().split('\n');
		expect(block).toHaveLength(2);
		const steps = block[0]!.replace(/#.*$/, '').split('&&').map(step => step.trim());
		expect(steps).toEqual(['npm install', 'npm link', 'strata']);
		expect(block[1]).toMatch(/^npm test\s/);

		// What `npm link` links: the bin, an executable file that runs node.
		const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {bin: Record<string, string>; scripts: Record<string, string>};
		expect(pkg.bin).toEqual({strata: 'dist/cli/main.js'});
		expect(pkg.scripts['prepare']).toBe('npm run build');
		const bin = join(root, pkg.bin['strata']!);
		accessSync(bin, constants.X_OK);
		expect(readFileSync(bin, 'utf8').split('\n')[0]).toMatch(/^#!\/usr\/bin\/env -S node\b/);

		// npm link itself, into a prefix of our own (the machine's stays untouched); the build is already done.
		const prefix = join(makeTempDir(), 'prefix');
		const env: Record<string, string> = {};
		for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^npm_/i.test(key) && !key.startsWith('STRATA_')) env[key] = value;
		const link = await execa('npm', ['link', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], {cwd: root, env: {...env, npm_config_prefix: prefix}, extendEnv: false, reject: false});
		expect(link.exitCode, link.stderr).toBe(0);
		const help = await execa('strata', ['--help'], {env: {...env, PATH: `${join(prefix, 'bin')}:${env['PATH'] ?? ''}`}, extendEnv: false, reject: false});
		expect(help.exitCode, help.stderr).toBe(0);
		expect(help.stdout).toMatch(/^Usage$/m);
		expect(help.stdout).toContain('item add');
	});
});

describe('the default repository, in the CLI and the console alike', () => {
	it('is created by the first CLI command, with one line on stderr saying where, and only once', async () => {
		const {env, defaultRepo} = newUser();
		const first = await runStrata(['item', 'list'], {env});
		expect(first.exitCode, first.stderr).toBe(0);
		expect(first.stderr).toBe(`strata: created a new repository at ${defaultRepo}`);
		expect(first.stdout).toBe('No items yet. Add one with `strata item add NAME --volume PATH`.');
		expect(statSync(defaultRepo).mode & 0o777).toBe(0o700);
		const second = await runStrata(['item', 'list'], {env});
		expect(second.exitCode, second.stderr).toBe(0);
		expect(second.stderr).toBe('');
	});

	it('is never made from a path named by --repo or STRATA_REPO that does not exist (a typo)', async () => {
		const {dir, env, defaultRepo} = newUser();
		const typo = join(dir, 'bakcup');
		for (const run of [runStrata(['--repo', typo, 'item', 'list'], {env}), runStrata(['item', 'list'], {env: {...env, STRATA_REPO: typo}})]) {
			const result = await run;
			expect(result.exitCode).toBe(1);
			expect(result.stderr).toBe(`strata: no repository at ${typo}. Create one with \`strata --repo ${typo} init\`.`);
		}

		expect(existsSync(typo)).toBe(false);
		expect(existsSync(defaultRepo)).toBe(false);
	});

	it('is created by the console the same way, whose hints then work as typed', async () => {
		// Given a new user, when they open the console without naming a repository...
		const {dir, env, defaultRepo} = newUser();
		const [stderrFile, exitFile] = [join(dir, 'stderr'), join(dir, 'exit')];
		const session = `strata-first-${process.pid}`;
		tmux(session, `HOME=${env.HOME} XDG_DATA_HOME=${env.XDG_DATA_HOME} STRATA_REPO= node ${cliEntry} 2>${stderrFile}; echo $? > ${exitFile}; sleep 60`);
		// ...then it says it created the default repository, shows it in the header and teaches the next command.
		const screen = await waitForScreen(session, /Storage cost[^]*created a new repository/);
		expect(screen).toContain(`Strata created a new repository at ${defaultRepo}.`);
		expect(screen).toContain(`Strata  ${defaultRepo}  0 items`);
		expect(screen).toContain('Add an item:  strata item add NAME --volume PATH');
		sendKeys(session, 'q');
		expect((await fileWritten(exitFile)).trim()).toBe('0');
		// The same line the CLI prints, on stderr (the console's screen may have scrolled it away); Ink adds only
		// the escape that shows the cursor again, on a line of its own.
		expect(readFileSync(stderrFile, 'utf8').split('\n')[0]).toBe(`strata: created a new repository at ${defaultRepo}`);

		// The CLI sees the same repository (no second creation), and the hint's command works as typed.
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 1);
		const add = await runStrata(['item', 'add', 'vm', '--volume', disk], {env});
		expect(add.exitCode, add.stderr).toBe(0);
		expect(add.stderr).toBe('');
	});

	it('is the only one the console creates: a named repository that does not exist is refused, one that does is named in its hints', async () => {
		const {dir, env, defaultRepo} = newUser();
		const typo = join(dir, 'bakcup');
		const exitFile = join(dir, 'exit');
		const refused = `strata-typo-${process.pid}`;
		tmux(refused, `HOME=${env.HOME} XDG_DATA_HOME=${env.XDG_DATA_HOME} node ${cliEntry} --repo ${typo}; echo $? > ${exitFile}; sleep 60`);
		expect((await fileWritten(exitFile)).trim()).toBe('1');
		expect(capture(refused)).toContain(`strata: no repository at ${typo}.`);
		expect(existsSync(typo)).toBe(false);
		expect(existsSync(defaultRepo)).toBe(false);

		// A repository named by path: `strata item add` alone would reach the default one, so the hint names it.
		const named = join(dir, 'repo');
		expect((await runStrata(['--repo', named, 'init'], {env})).exitCode).toBe(0);
		const session = `strata-named-${process.pid}`;
		tmux(session, `HOME=${env.HOME} XDG_DATA_HOME=${env.XDG_DATA_HOME} node ${cliEntry} --repo ${named}`, {columns: 120, rows: 24});
		const screen = await waitForScreen(session, /Storage cost/);
		expect(screen).toContain(`Add an item:  strata --repo ${named} item add NAME --volume PATH`);
		expect(screen).not.toContain('created a new repository');
	});
});
