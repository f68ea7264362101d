/**
 * Starts one throwaway PostgreSQL cluster (scripts/pg-sandbox) for the whole test run and stops it afterwards.
 * Missing PostgreSQL binaries fail the run: nothing fakes PostgreSQL, and CI installs it (.ci/run).
 */
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import type {TestProject} from 'vitest/node';
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

export default async function setup(project: TestProject) {
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
