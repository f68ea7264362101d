/** Help texts for `strata --help` and `strata COMMAND --help`. */
import type {Command} from './command.js';
import {kebab} from './flags.js';

export const globalFlagsHelp = [
	['--repo PATH', 'The repository (else STRATA_REPO, else ~/.local/share/strata)'],
	['--json', 'Print machine-readable JSON (read commands)'],
	['--help', 'Show help'],
] as const;

function columns(rows: ReadonlyArray<readonly [string, string]>): string {
	const width = Math.max(...rows.map(([left]) => left.length));
	return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

/** The overview: usage, commands, global flags, environment. */
export function globalHelp(commands: readonly Command[]): string {
	return [
		'Strata: block-level volume and PostgreSQL backups, with a terminal console.',
		'',
		'Usage',
		'  strata                      Open the console',
		'  strata COMMAND [ARGS] [FLAGS]',
		'',
		'Commands',
		columns(commands.map(command => [[command.name, ...command.args].join(' '), command.summary] as const)),
		'',
		'Global flags',
		columns(globalFlagsHelp),
		'',
		'Environment',
		columns([
			['STRATA_REPO', 'The repository when --repo is not given'],
			['STRATA_NOW', 'Pretend the time is this ISO 8601 instant (scripts, tests)'],
			['STRATA_DEBUG=1', 'Show stack traces on errors'],
		]),
		'',
		'Run `strata COMMAND --help` for a command\'s flags.',
	].join('\n');
}

/** One command's usage, flags and examples. */
export function commandHelp(command: Command): string {
	const flagRows = Object.entries(command.flags).map(
		([name, spec]) => [`--${kebab(name)}${spec.value ? ` ${spec.value}` : ''}`, `${spec.description}${spec.isMultiple ? ' (repeatable)' : ''}`] as const,
	);
	return [
		`${command.summary}.`,
		'',
		'Usage',
		`  strata ${[command.name, ...command.args].join(' ')}${flagRows.length > 0 ? ' [FLAGS]' : ''}`,
		...(command.details ? ['', command.details] : []),
		...(flagRows.length > 0 ? ['', 'Flags', columns(flagRows)] : []),
		'',
		'Global flags',
		columns(globalFlagsHelp),
		...(command.examples && command.examples.length > 0 ? ['', 'Examples', ...command.examples.map(example => `  ${example}`)] : []),
	].join('\n');
}
