/**
 * The CLI as a function: runCli parses the command line with meow, runs one command, and maps errors to one line
 * and an exit code (2 for usage mistakes, 1 for failures). With no command it opens the console. Importing this
 * module does nothing; main.ts (the `strata` bin) calls runCli with the process's streams, and tests call it
 * in-process with their own.
 */
import process from 'node:process';
import meow from 'meow';
import {formatError, printable, resolveRepositoryPath, type StrataError, toStrataError, UsageError} from '../engine/index.js';
import {createContext, openAnnounced} from './context.js';
import type {CliIo, Command, FlagSpec, Flags} from './command.js';
import {commands} from './commands/index.js';
import {kebab} from './flags.js';
import {commandHelp, globalHelp, helpWidth} from './help.js';
import {repositoryCreated} from './output.js';

const globalFlags: Record<string, FlagSpec> = {
	repo: {type: 'string', description: ''},
	json: {type: 'boolean', description: ''},
	help: {type: 'boolean', description: ''},
	version: {type: 'boolean', description: ''},
};

function allFlags(): Record<string, FlagSpec> {
	const union: Record<string, FlagSpec> = {...globalFlags};
	for (const command of commands) Object.assign(union, command.flags);
	return union;
}

function meowFlags(specs: Record<string, FlagSpec>) {
	return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, {type: spec.type, isMultiple: spec.isMultiple ?? false}]));
}

/** Finds the longest command name that the positional words start with. */
function findCommand(words: readonly string[]): Command | undefined {
	let best: Command | undefined;
	for (const command of commands) {
		const parts = command.name.split(' ');
		if (parts.every((part, index) => words[index] === part) && (!best || parts.length > best.name.split(' ').length)) best = command;
	}

	return best;
}

/**
 * meow reads `--json=yes` as false without a word: a boolean flag with a value other than true or false is refused,
 * so a script never gets a table where it asked for JSON (or a restore without --force it thought it gave).
 */
function refuseBooleanValues(argv: readonly string[]): void {
	const booleans = new Set(Object.entries(allFlags()).filter(([, spec]) => spec.type === 'boolean').map(([name]) => kebab(name)));
	for (const argument of argv) {
		if (argument === '--') return;
		const match = /^--(?:no-)?([^=]+)=(.*)$/s.exec(argument);
		if (!match || !booleans.has(match[1]!) || match[2] === 'true' || match[2] === 'false') continue;
		throw new UsageError('FLAG_VALUE', `--${match[1]} takes no value (got "${match[2]}")`, {hint: `Write --${match[1]} alone, or leave it out`});
	}
}

function parse(argv: string[]) {
	refuseBooleanValues(argv);
	let cli;
	try {
		cli = meow(globalHelp(commands), {
			importMeta: import.meta,
			argv,
			flags: meowFlags(allFlags()),
			allowUnknownFlags: true,
			autoHelp: false,
			autoVersion: false,
			booleanDefault: undefined,
		});
	} catch (error) {
		throw new UsageError('USAGE', (error as Error).message.replace(/`/g, ''), {hint: 'See `strata --help`'});
	}

	return cli;
}

/** The terminal's width for help, or helpWidth off a terminal (a pipe, a file). */
function helpColumns(io: CliIo): number {
	return io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : helpWidth;
}

/** A path as one shell word, quoted only when it needs to be. */
function shellWord(text: string): string {
	return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

function checkFlags(flags: Record<string, unknown>, command: Command | undefined): void {
	const known = new Set([...Object.keys(globalFlags), ...Object.keys(command?.flags ?? {})]);
	for (const [name, value] of Object.entries(flags)) {
		if (name === '_' || name === '--' || known.has(name) || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
		const where = command ? `\`strata ${command.name}\`` : 'strata';
		// `--forecast -5d` reaches here as flags -5 and -d: say why, rather than only "unknown flag --5".
		const negative = /^\d$/.test(name) ? ' (a value starting with "-" is read as flags; write --flag=VALUE)' : '';
		throw new UsageError('UNKNOWN_FLAG', `unknown flag ${name.length === 1 ? '-' : '--'}${kebab(name)} for ${where}${negative}`, {hint: `See \`strata${command ? ` ${command.name}` : ''} --help\``});
	}
}

async function run(argv: string[], io: CliIo): Promise<number> {
	const cli = parse(argv);
	const words = cli.input.map(String);
	const flags = cli.unnormalizedFlags as Flags;
	if (flags['version']) {
		io.stdout.write(`${String(cli.pkg.version ?? 'unknown')}\n`);
		return 0;
	}

	if (words.length === 0) {
		checkFlags(flags, undefined);
		if (flags['help']) {
			io.stdout.write(`${globalHelp(commands, helpColumns(io))}\n`);
			return 0;
		}

		// The console reads keys one by one: without a terminal (a pipe, cron, CI) say so instead of failing inside Ink.
		if (!io.stdin?.isTTY || !io.stdout.isTTY) {
			throw new UsageError('NO_TERMINAL', 'the console needs an interactive terminal (stdin and stdout are not both a TTY)', {
				hint: 'Run a command instead, e.g. `strata points ITEM --json`; see `strata --help`',
			});
		}

		// The same rule as every command: the default repository is created on first use, a named one must exist.
		const repoFlag = flags['repo'] as string | undefined;
		// Opened once as a writer (when it may) to create or upgrade the catalog; the console itself only reads.
		const {repo, created} = openAnnounced(repoFlag, io);
		const {path} = repo;
		repo.close();
		const {openConsole} = await import('../tui/open-console.js');
		// The console's hints name the repository when a command typed without --repo would reach another one.
		const strataCommand = resolveRepositoryPath(repoFlag, io.env).isDefault ? 'strata' : `strata --repo ${shellWord(path)}`;
		return openConsole({path, strataCommand, notice: created ? `Strata ${repositoryCreated(path)}.` : undefined});
	}

	const command = findCommand(words);
	if (!command) {
		const group = commands.filter(candidate => candidate.name.startsWith(`${words[0]} `)).map(candidate => candidate.name);
		throw new UsageError('UNKNOWN_COMMAND', `unknown command "${words.join(' ')}"`, {
			hint: group.length > 0 ? `Use one of: ${group.join(', ')}` : 'See `strata --help` for the commands',
		});
	}

	checkFlags(flags, command);
	if (flags['help']) {
		io.stdout.write(`${commandHelp(command, helpColumns(io))}\n`);
		return 0;
	}

	const args = words.slice(command.name.split(' ').length);
	const required = command.requiredArgs ?? 0;
	const variadic = command.args.at(-1)?.endsWith('...') ?? false;
	if (args.length < required) {
		throw new UsageError('MISSING_ARGUMENT', `\`strata ${command.name}\` needs ${command.args.slice(args.length, required).join(' ')}`, {
			hint: `Usage: strata ${[command.name, ...command.args].join(' ')}`,
		});
	}

	if (!variadic && args.length > command.args.length) {
		throw new UsageError('EXTRA_ARGUMENT', `unexpected argument "${args[command.args.length]}" for \`strata ${command.name}\``, {
			hint: `Usage: strata ${[command.name, ...command.args].join(' ')}`,
		});
	}

	const context = createContext({args, flags, io});
	try {
		const code = await command.run(context);
		context.noteRepository();
		return typeof code === 'number' ? code : 0;
	} catch (error) {
		throw context.explain(error, `run \`strata ${command.name}\``);
	} finally {
		context.dispose();
	}
}

function report(error: StrataError, io: CliIo): void {
	// Messages quote user input (item names, disk names, currencies): escape control characters so none reaches the terminal.
	io.stderr.write(`strata: ${printable(formatError(error))}\n`);
	if (io.env['STRATA_DEBUG'] === '1' && error.stack) io.stderr.write(`${error.stack}\n`);
	if (io.env['STRATA_DEBUG'] === '1' && error.cause instanceof Error && error.cause.stack) io.stderr.write(`caused by: ${error.cause.stack}\n`);
}

/**
 * Runs `strata ARGV...` and resolves to its exit code; use it for the bin and for in-process tests. It never exits
 * the process: every error becomes one `strata: ...` line on io.stderr and code 2 (usage) or 1 (failure). Files it
 * creates are private to the user (umask 077 while it runs).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
	const umask = process.umask(0o077);
	try {
		return await run(argv, io);
	} catch (error) {
		const strataError = toStrataError(error);
		report(strataError, io);
		return strataError instanceof UsageError ? 2 : 1;
	} finally {
		process.umask(umask);
	}
}
