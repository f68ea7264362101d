/** Runs the built CLI (dist/cli/main.js) as a real child process. */
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';

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
