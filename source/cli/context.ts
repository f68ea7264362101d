/** Builds what a command runs with: arguments, flags, the repository (opened on first use) and output functions. */
import {formatError, lostCommitsError, openChosenRepository, printable, readOnlyError, type Repository, resolveRepositoryPath} from '../engine/index.js';
import type {CliIo, CommandContext, Flags} from './command.js';
import {stringFlag} from './flags.js';
import {printableLines, repositoryCreated} from './output.js';

/** Opens the chosen repository for a command or the console; creating the default one is said in one line on stderr. */
export function openAnnounced(repoFlag: string | undefined, io: CliIo): {repo: Repository; created: boolean} {
	const opened = openChosenRepository(repoFlag, io.env);
	if (opened.created) io.stderr.write(`strata: ${repositoryCreated(opened.repo.path)}\n`);
	return opened;
}

/** Says once, on stderr, what a reader should know about the repository it opened: read-only, or a catalog that lost commits. */
function noteOpened(repo: Repository, io: CliIo): void {
	if (repo.readOnly) io.stderr.write(`strata: note: the repository at ${printable(repo.path)} ${repo.readOnly.reason}; reading only, nothing is recorded (no job rows)\n`);
	if (repo.lostCommits) io.stderr.write(`strata: warning: ${printable(formatError(lostCommitsError(repo.path, repo.lostCommits, 'trust it')).replace(/^cannot trust it: /, ''))}\n`);
}

/** The context one command runs in; dispose() after it, whatever happened. */
export function createContext({args, flags, io}: {args: string[]; flags: Flags; io: CliIo}): CommandContext & {dispose(): void; explain(error: unknown, action: string): unknown; noteRepository(): void} {
	const {path} = resolveRepositoryPath(stringFlag(flags, 'repo'), io.env);
	const controller = new AbortController();
	const stopListening = io.interrupts?.(signal => controller.abort(new Error(`interrupted by ${signal}`)));
	let repo: Repository | undefined;
	return {
		args,
		flags,
		json: flags['json'] === true,
		repositoryPath: path,
		isTty: Boolean(io.stderr.isTTY),
		signal: controller.signal,
		io,
		openRepository() {
			repo ??= openAnnounced(stringFlag(flags, 'repo'), io).repo;
			return repo;
		},
		print(text) {
			io.stdout.write(`${printableLines(text)}\n`);
		},
		note(text) {
			io.stderr.write(`strata: ${text}\n`);
		},
		printJson(value) {
			io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
		},
		/** A write SQLite refused on a read-only repository becomes the one-line refusal naming the cause. */
		explain(error, action) {
			const code = (error as {code?: unknown} | undefined)?.code;
			if (repo?.readOnly && typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return readOnlyError(repo.path, repo.readOnly, action);
			return error;
		},
		/** After a command succeeded: the note on what it read (a refusal says it instead). */
		noteRepository() {
			if (repo) noteOpened(repo, io);
		},
		dispose() {
			stopListening?.();
			repo?.close();
		},
	};
}
