/** Identifiers: object hashes are hex BLAKE3 (256 bits); recovery points are numbered per repository. */
import {UserError} from '../errors.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & {readonly [brand]: B};

/** A recovery point's number in the catalog. */
export type RecoveryPointId = Brand<number, 'RecoveryPointId'>;
/** An object's content hash, 64 lowercase hex characters. */
export type ObjectHash = Brand<string, 'ObjectHash'>;
/** A pack's name, 32 lowercase hex characters. */
export type PackName = Brand<string, 'PackName'>;

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

/** The first 8 characters of a hash, for display. */
export function shortHash(hash: string): string {
	return hash.slice(0, 8);
}

const itemNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks an item or policy name: letters, digits, dot, dash and underscore, no path separators or control characters. */
export function assertName(name: string, what: 'item' | 'policy'): string {
	if (!itemNamePattern.test(name)) {
		throw new UserError('BAD_NAME', `${what} name "${printable(name)}" is not allowed`, {
			hint: 'Use up to 64 letters, digits, ".", "-" or "_", starting with a letter or digit',
		});
	}

	return name;
}

/** Shows control characters in user input as escapes, so an error line stays one line. */
export function printable(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u001F\u007F]/g, character => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
