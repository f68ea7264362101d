/**
 * Tab completion of the restore target path, as a shell does it: a single match completes (a folder gains its
 * "/"), several extend to their common prefix, and when that adds nothing the candidates are listed. Hidden entries
 * match only a prefix that starts with ".". Relative paths are read against the console's working folder, which
 * is where the detached restore runs too.
 */
import {readdirSync, statSync} from 'node:fs';
import {resolve} from 'node:path';

export type Entry = {name: string; directory: boolean};
export type Completion = {text: string; candidates: string[]};

function commonPrefix(names: readonly string[]): string {
	let prefix = names[0] ?? '';
	for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
	return prefix;
}

/** The completion of `text` among the entries of the folder it names (pure: the entries are given). */
export function completeFrom(text: string, entries: readonly Entry[]): Completion {
	const slash = text.lastIndexOf('/');
	const head = text.slice(0, slash + 1);
	const prefix = text.slice(slash + 1);
	const matches = entries.filter(entry => entry.name.startsWith(prefix) && (prefix.startsWith('.') || !entry.name.startsWith('.'))).sort((a, b) => a.name.localeCompare(b.name));
	if (matches.length === 0) return {text, candidates: []};
	if (matches.length === 1) return {text: `${head}${matches[0]!.name}${matches[0]!.directory ? '/' : ''}`, candidates: []};
	const common = commonPrefix(matches.map(entry => entry.name));
	return common.length > prefix.length ? {text: `${head}${common}`, candidates: []} : {text, candidates: matches.map(entry => `${entry.name}${entry.directory ? '/' : ''}`)};
}

/** The entries of a folder (a symbolic link to a folder counts as one); none when it cannot be read. */
export function listEntries(folder: string): Entry[] {
	try {
		return readdirSync(folder, {withFileTypes: true}).map(entry => {
			let directory = entry.isDirectory();
			if (entry.isSymbolicLink()) {
				try {
					directory = statSync(resolve(folder, entry.name)).isDirectory();
				} catch {
					// A dangling link completes as a file.
				}
			}

			return {name: entry.name, directory};
		});
	} catch {
		return [];
	}
}

/** Completes a typed path from the file system: call from a key handler, never while rendering. */
export function completePath(text: string, cwd = process.cwd()): Completion {
	const head = text.slice(0, text.lastIndexOf('/') + 1);
	return completeFrom(text, listEntries(resolve(cwd, head === '' ? '.' : head)));
}
