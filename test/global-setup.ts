/**
 * The integration project's setup: builds dist/ when a source file is newer than its build (the CLI under test is
 * the build, so a stale one would be tested silently), then starts one throwaway PostgreSQL cluster
 * (scripts/pg-sandbox) for the whole test run and stops it afterwards. Missing PostgreSQL binaries fail the run:
 * nothing fakes PostgreSQL, and CI installs it (.ci/run).
 */
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import type {TestProject} from 'vitest/node';
import {projectRoot, staleBuild} from './helpers/build.js';
import type {PgSandbox} from './helpers/pg.js';

const sandboxScript = fileURLToPath(new URL('../scripts/pg-sandbox', import.meta.url));
const keys = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATA', 'PGSANDBOX', 'PGBIN'] as const;

function parseSandboxOutput(stdout: string): PgSandbox {
	const values = new Map<string, string>();
	for (const line of stdout.split('\n')) {
		const at = line.indexOf('=');
		if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
	}

	const missing = keys.filter(key => !values.get(key));
	if (missing.length > 0) throw new Error(`scripts/pg-sandbox start did not print ${missing.join(', ')}; it printed:\n${stdout}`);
	return Object.fromEntries(keys.map(key => [key, values.get(key)!])) as PgSandbox;
}

/** Rebuilds dist/ when it lags source/, saying so in one line; a failing build fails the run with tsc's output. */
async function buildIfStale(): Promise<void> {
	const stale = staleBuild();
	if (stale === undefined) return;
	process.stderr.write(`strata tests: dist/ is older than ${stale}; building it (npm run build) before the integration tests\n`);
	const built = await execa('npm', ['run', 'build'], {cwd: projectRoot, reject: false, stdin: 'ignore', all: true});
	if (built.exitCode !== 0) throw new Error(`npm run build failed (exit ${built.exitCode}); the integration tests run dist/:\n${built.all}`);
}

export default async function setup(project: TestProject) {
	await buildIfStale();
	const started = await execa(sandboxScript, ['start'], {reject: false, stdin: 'ignore'});
	if (started.exitCode !== 0) {
		throw new Error(`scripts/pg-sandbox start failed (exit ${started.exitCode}); the tests need PostgreSQL server binaries (see .ci/run):\n${started.stderr}`);
	}

	const sandbox = parseSandboxOutput(started.stdout);
	// Vitest exits on SIGINT/SIGTERM without running teardown; stop the server then too, or it outlives the run.
	const stopOnExit = () => spawnSync(sandboxScript, ['stop', sandbox.PGSANDBOX], {stdio: 'ignore'});
	process.once('exit', stopOnExit);
	project.provide('pg', sandbox);
	return async () => {
		process.off('exit', stopOnExit);
		const stopped = await execa(sandboxScript, ['stop', sandbox.PGSANDBOX], {reject: false, stdin: 'ignore'});
		if (stopped.exitCode !== 0) throw new Error(`scripts/pg-sandbox stop failed: ${stopped.stderr}`);
	};
}
