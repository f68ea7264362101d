/** Builds what a command runs with: arguments, flags, the repository (opened on first use) and output functions. */
import process from 'node:process';
import {formatError, lostCommitsError, openChosenRepository, printable, readOnlyError, type Repository, resolveRepositoryPath} from '../engine/index.js';
import type {CommandContext, Flags} from './command.js';
import {stringFlag} from './flags.js';
import {printableLines, repositoryCreated} from './output.js';

/** Opens the chosen repository for a command or the console; creating the default one is said in one line on stderr. */
export function openAnnounced(repoFlag: string | undefined): {repo: Repository; created: boolean} {
	const opened = openChosenRepository(repoFlag);
	if (opened.created) process.stderr.write(`strata: ${repositoryCreated(opened.repo.path)}\n`);
	return opened;
}

/** Says once, on stderr, what a reader should know about the repository it opened: read-only, or a catalog that lost commits. */
function noteOpened(repo: Repository): void {
	if (repo.readOnly) process.stderr.write(`strata: note: the repository at ${printable(repo.path)} ${repo.readOnly.reason}; reading only, nothing is recorded (no job rows)\n`);
	if (repo.lostCommits) process.stderr.write(`strata: warning: ${printable(formatError(lostCommitsError(repo.path, repo.lostCommits, 'trust it')).replace(/^cannot trust it: /, ''))}\n`);
}

export function createContext({args, flags}: {args: string[]; flags: Flags}): CommandContext & {dispose(): void; explain(error: unknown, action: string): unknown; noteRepository(): void} {
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
			repo ??= openAnnounced(stringFlag(flags, 'repo')).repo;
			return repo;
		},
		print(text) {
			process.stdout.write(`${printableLines(text)}\n`);
		},
		note(text) {
			process.stderr.write(`strata: ${text}\n`);
		},
		printJson(value) {
			process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
		},
		/** A write SQLite refused on a read-only repository becomes the one-line refusal naming the cause. */
		explain(error, action) {
			const code = (error as {code?: unknown} | undefined)?.code;
			if (repo?.readOnly && typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return readOnlyError(repo.path, repo.readOnly, action);
			return error;
		},
		/** After a command succeeded: the note on what it read (a refusal says it instead). */
		noteRepository() {
			if (repo) noteOpened(repo);
		},
		dispose() {
			process.off('SIGINT', onInt);
			process.off('SIGTERM', onTerm);
			repo?.close();
		},
	};
}
