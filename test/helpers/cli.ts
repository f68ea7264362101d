/** Runs the built CLI (dist/cli/main.js) as a real child process, or the same CLI in this process through runCli. */
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {runCli} from '../../source/cli/run-cli.js';

export const cliEntry = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export type StrataRun = {exitCode: number; stdout: string; stderr: string};

export type StrataRunOptions = {
	env?: Record<string, string>;
	cwd?: string;
	input?: string;
};

/** The caller's environment without Strata's own variables, so a developer's STRATA_REPO cannot leak into a test. */
function cleanEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value !== undefined && !key.startsWith('STRATA_')) env[key] = value;
	}

	return env;
}

/** Runs `strata ARGS...`; never throws on a non-zero exit, so tests can check the code and the output. */
export async function runStrata(args: string[], options: StrataRunOptions = {}): Promise<StrataRun> {
	const result = await execa('node', [cliEntry, ...args], {
		reject: false,
		extendEnv: false,
		env: {...cleanEnv(), NO_COLOR: '1', ...options.env},
		...(options.cwd === undefined ? {} : {cwd: options.cwd}),
		...(options.input === undefined ? {stdin: 'ignore' as const} : {input: options.input}),
	});
	return {exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr};
}

/**
 * Runs `strata ARGS...` in this process through runCli, with what runStrata gives the build: the same environment,
 * no terminal, the output without its final newline. For tests of many quick refusals, where a process per case costs
 * a second. options.env is also put into process.env while it runs, for the engine's own reads (STRATA_NOW).
 */
export async function runStrataInProcess(args: string[], options: Omit<StrataRunOptions, 'cwd' | 'input'> = {}): Promise<StrataRun> {
	let stdout = '';
	let stderr = '';
	const overlay = options.env ?? {};
	const saved = Object.keys(overlay).map(key => [key, process.env[key]] as const);
	Object.assign(process.env, overlay);
	try {
		const env = {...cleanEnv(), NO_COLOR: '1', ...overlay};
		const exitCode = await runCli(args, {stdout: {write: text => (stdout += text)}, stderr: {write: text => (stderr += text)}, env});
		return {exitCode, stdout: stdout.replace(/\n$/, ''), stderr: stderr.replace(/\n$/, '')};
	} finally {
		for (const [key, value] of saved) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	}
}
