/** Identifiers as people type and read them: recovery points (numbered per repository, shown as rp7) and names. */
import {UserError} from '../errors.js';
import {printable} from '../text.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & {readonly [brand]: B};

/** A recovery point's number in the catalog. */
export type RecoveryPointId = Brand<number, 'RecoveryPointId'>;

/** Reads a recovery point id as the user types it: `7`, `rp7` or `RP7`. */
export function parseRecoveryPointId(text: string): RecoveryPointId {
	const match = /^(?:rp)?(\d{1,15})$/i.exec(text.trim());
	if (!match) {
		throw new UserError('BAD_RP_ID', `"${text}" is not a recovery point id`, {
			hint: 'Use the id shown by `strata points ITEM`, e.g. 3 or rp3',
		});
	}

	return Number(match[1]) as RecoveryPointId;
}

/** How a recovery point id is shown to people. */
export function formatRecoveryPointId(id: number): string {
	return `rp${id}`;
}

/** Longest item, policy or disk name: long enough for a host name and a role, short enough for a table column. */
export const maxNameLength = 64;
const itemNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const nameHint = `Use up to ${maxNameLength} letters, digits, ".", "-" or "_", starting with a letter or digit`;

/** Checks an item or policy name: letters, digits, dot, dash and underscore, no path separators or control characters. */
export function assertName(name: string, what: 'item' | 'policy'): string {
	// Length first: a 5000-character name is too long whatever it holds (the message shortens it when shown).
	if (name.length > maxNameLength) {
		throw new UserError('NAME_TOO_LONG', `${what} name "${printable(name)}" is too long; at most ${maxNameLength} characters`, {hint: nameHint});
	}

	if (!itemNamePattern.test(name)) {
		throw new UserError('BAD_NAME', `${what} name "${printable(name)}" is not allowed`, {hint: nameHint});
	}

	return name;
}
