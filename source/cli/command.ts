/** What a CLI command declares, and what it is given when it runs. */
import type {Repository} from '../engine/index.js';

export type FlagSpec = {
	type: 'string' | 'boolean';
	isMultiple?: boolean;
	description: string;
	/** Shown after the flag name in help, e.g. PATH. */
	value?: string;
};

export type Flags = Record<string, string | boolean | string[] | undefined>;

/** Where the CLI writes text: process.stdout or process.stderr, or a test's collector. */
export type TextOut = {write(text: string): unknown; isTTY?: boolean; columns?: number};

/**
 * What runCli runs with instead of the process's own streams and environment, so a test can run the CLI in-process.
 * env is what the CLI reads (STRATA_REPO, STRATA_DEBUG, the console's launch mark); the engine's defaults (STRATA_NOW,
 * libpq's variables) still read process.env.
 */
export type CliIo = {
	stdout: TextOut;
	stderr: TextOut;
	env: NodeJS.ProcessEnv;
	/** Read by confirmations (`strata unlock`) and the console's terminal check; none means not a terminal. */
	stdin?: NodeJS.ReadableStream & {isTTY?: boolean};
	/** Calls onInterrupt on SIGINT or SIGTERM while a command runs; returns the unsubscribe. None: never interrupted. */
	interrupts?: (onInterrupt: (signal: NodeJS.Signals) => void) => () => void;
};

export type CommandContext = {
	args: string[];
	flags: Flags;
	json: boolean;
	/** Opens the repository chosen by --repo, STRATA_REPO or the default; the command closes nothing itself. */
	openRepository(): Repository;
	repositoryPath: string;
	/** Writes one line (or block) of normal output. */
	print(text: string): void;
	/** Prints a value as JSON. */
	printJson(value: unknown): void;
	/** Writes one line about the run itself (whom a command waits for) on stderr, apart from its output. */
	note(text: string): void;
	isTty: boolean;
	/** Aborted on SIGINT or SIGTERM: long operations roll back and stop. */
	signal: AbortSignal;
	/** The streams and environment the command runs with (for stderr lines of its own, a prompt, a variable). */
	io: CliIo;
};

export type Command = {
	/** One or two words, e.g. "init" or "item add". */
	name: string;
	summary: string;
	/** Positional arguments in help form, e.g. ["ITEM", "RP"]; a trailing "..." word takes the rest. */
	args: string[];
	/** How many positional arguments are required; the rest are optional. */
	requiredArgs?: number;
	flags: Record<string, FlagSpec>;
	/** Extra help paragraphs. */
	details?: string;
	examples?: string[];
	run(context: CommandContext): Promise<number | void> | number | void;
};

/** Declares a command; the identity function gives type checking at the definition. */
export function defineCommand(command: Command): Command {
	return command;
}
