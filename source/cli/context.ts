/** Builds what a command runs with: arguments, flags, the repository (opened on first use) and output functions. */
import process from 'node:process';
import {Repository, resolveRepositoryPath} from '../engine/index.js';
import type {CommandContext, Flags} from './command.js';
import {stringFlag} from './flags.js';

export function createContext({args, flags}: {args: string[]; flags: Flags}): CommandContext & {dispose(): void} {
	const {path} = resolveRepositoryPath(stringFlag(flags, 'repo'));
	const controller = new AbortController();
	const abort = (signal: NodeJS.Signals) => {
		if (controller.signal.aborted) process.exit(130);
		controller.abort(new Error(`interrupted by ${signal}`));
	};

	const onInt = () => abort('SIGINT');
	const onTerm = () => abort('SIGTERM');
	process.on('SIGINT', onInt);
	process.on('SIGTERM', onTerm);
	let repo: Repository | undefined;
	return {
		args,
		flags,
		json: flags['json'] === true,
		repositoryPath: path,
		isTty: Boolean(process.stderr.isTTY),
		signal: controller.signal,
		openRepository() {
			repo ??= Repository.open(path);
			return repo;
		},
		print(text) {
			process.stdout.write(`${text}\n`);
		},
		note(text) {
			process.stderr.write(`strata: ${text}\n`);
		},
		printJson(value) {
			process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
		},
		dispose() {
			process.off('SIGINT', onInt);
			process.off('SIGTERM', onTerm);
			repo?.close();
		},
	};
}
