/** Turning flag strings into checked values, with one-line errors that name the flag. */
import {parseInstant, StrataError, UsageError} from '../engine/index.js';
import type {FlagSpec, Flags} from './command.js';

/** A string flag's value, or undefined when it was not given. */
export function stringFlag(flags: Flags, name: string): string | undefined {
	const value = flags[name];
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || value === '') {
		throw new UsageError('FLAG_VALUE', `--${kebab(name)} needs a value`, {hint: `See the command's --help`});
	}

	return value;
}

/** A repeatable string flag's values. */
export function listFlag(flags: Flags, name: string): string[] {
	const value = flags[name];
	if (value === undefined) return [];
	const values = Array.isArray(value) ? value : [String(value)];
	for (const item of values) {
		if (item === '') throw new UsageError('FLAG_VALUE', `--${kebab(name)} needs a value`, {hint: `See the command's --help`});
	}

	return values;
}

/** A whole-number flag within bounds. */
export function integerFlag(flags: Flags, name: string, bounds: {min?: number; max?: number} = {}): number | undefined {
	const text = stringFlag(flags, name);
	if (text === undefined) return undefined;
	const value = Number(text);
	const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
	const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
	if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
		const range = bounds.max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
		throw new UsageError('FLAG_VALUE', `--${kebab(name)} "${text}" is not a whole number ${range}`, {hint: `Give e.g. --${kebab(name)} ${Math.max(min, 1)}`});
	}

	return value;
}

/** A date flag (ISO 8601). */
export function dateFlag(flags: Flags, name: string): Date | undefined {
	const text = stringFlag(flags, name);
	if (text === undefined) return undefined;
	try {
		return parseInstant(text, `--${kebab(name)}`);
	} catch (error) {
		// A malformed flag value is a usage mistake (exit 2), like a malformed number.
		if (error instanceof StrataError) throw new UsageError(error.code, error.message, {hint: error.hint, cause: error});
		throw error;
	}
}

/** A flag limited to a set of words. */
export function choiceFlag<T extends string>(flags: Flags, name: string, choices: readonly T[]): T | undefined {
	const text = stringFlag(flags, name);
	if (text === undefined) return undefined;
	if (!(choices as readonly string[]).includes(text)) {
		throw new UsageError('FLAG_VALUE', `--${kebab(name)} "${text}" is not one of ${choices.join(', ')}`, {hint: `Use e.g. --${kebab(name)} ${choices[0]}`});
	}

	return text as T;
}

/** blockSize -> block-size */
export function kebab(name: string): string {
	return name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}

/** The --wait flag of commands that take locks: how long to wait for another process's lock (default: as long as it makes progress). */
export const waitFlag: Record<string, FlagSpec> = {
	wait: {type: 'string', value: 'SECONDS', description: 'Give up after waiting this long for another writer (default: wait as long as it makes progress)'},
};

/** The --wait limit in milliseconds, if given. */
export function waitMs(flags: Flags): number | undefined {
	const seconds = integerFlag(flags, 'wait', {min: 0, max: 31_536_000});
	return seconds === undefined ? undefined : seconds * 1000;
}
