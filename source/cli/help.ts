/** Help texts for `strata --help` and `strata COMMAND --help`. */
import type {Command} from './command.js';
import {kebab} from './flags.js';

export const globalFlagsHelp = [
	['--repo PATH', 'The repository (else STRATA_REPO, else ~/.local/share/strata)'],
	['--json', 'Print machine-readable JSON (read commands)'],
	['--help', 'Show help'],
] as const;

/** How wide help is when the terminal's width is unknown (a pipe, a file). */
export const helpWidth = 80;

/** The words of text in lines of at most width characters; a longer word stays whole on a line of its own. */
function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line !== '' && line.length + 1 + word.length > width) {
			lines.push(line);
			line = word;
		} else {
			line = line === '' ? word : `${line} ${word}`;
		}
	}

	return [...lines, line];
}

/** Two aligned columns; a right-hand text too long for the width goes on under itself, not under the left column. */
function columns(rows: ReadonlyArray<readonly [string, string]>, width: number): string {
	const leftWidth = Math.max(...rows.map(([left]) => left.length));
	const indent = ' '.repeat(2 + leftWidth + 2);
	return rows
		.map(([left, right]) => {
			const [first, ...rest] = wrap(right, Math.max(20, width - indent.length));
			return [`  ${left.padEnd(leftWidth)}  ${first}`, ...rest.map(line => `${indent}${line}`)].join('\n');
		})
		.join('\n');
}

/** The overview: usage, commands, global flags, environment, wrapped to width columns. */
export function globalHelp(commands: readonly Command[], width = helpWidth): string {
	return [
		...wrap('Strata: block-level volume and PostgreSQL backups, with a terminal console.', width),
		'',
		'Usage',
		'  strata                      Open the console',
		'  strata COMMAND [ARGS] [FLAGS]',
		'',
		'Commands',
		columns(commands.map(command => [[command.name, ...command.args].join(' '), command.summary] as const), width),
		'',
		'Global flags',
		columns(globalFlagsHelp, width),
		'',
		'Environment',
		columns([
			['STRATA_REPO', 'The repository when --repo is not given'],
			['STRATA_NOW', 'Pretend the time is this ISO 8601 instant (scripts, tests)'],
			['STRATA_DEBUG=1', 'Show stack traces on errors'],
		], width),
		'',
		'Run `strata COMMAND --help` for a command\'s flags.',
	].join('\n');
}

/** One command's usage, flags and examples, wrapped to width columns. */
export function commandHelp(command: Command, width = helpWidth): string {
	const flagRows = Object.entries(command.flags).map(
		([name, spec]) => [`--${kebab(name)}${spec.value ? ` ${spec.value}` : ''}`, `${spec.description}${spec.isMultiple ? ' (repeatable)' : ''}`] as const,
	);
	return [
		...wrap(`${command.summary}.`, width),
		'',
		'Usage',
		`  strata ${[command.name, ...command.args].join(' ')}${flagRows.length > 0 ? ' [FLAGS]' : ''}`,
		...(command.details ? ['', wrap(command.details, width).join('\n')] : []),
		...(flagRows.length > 0 ? ['', 'Flags', columns(flagRows, width)] : []),
		'',
		'Global flags',
		columns(globalFlagsHelp, width),
		...(command.examples && command.examples.length > 0 ? ['', 'Examples', ...command.examples.map(example => `  ${example}`)] : []),
	].join('\n');
}
