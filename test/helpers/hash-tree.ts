/** Fingerprints of a folder's contents, to show that a failed command changed nothing. */
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import {join, relative} from 'node:path';

/** Maps each file (to its SHA-256) and folder (to "dir") under `dir`, by relative path, sorted. */
export function hashTree(dir: string): Record<string, string> {
	const entries: Array<[string, string]> = [];
	const walk = (folder: string) => {
		for (const entry of readdirSync(folder, {withFileTypes: true})) {
			const path = join(folder, entry.name);
			const name = relative(dir, path);
			if (entry.isDirectory()) {
				entries.push([`${name}/`, 'dir']);
				walk(path);
			} else {
				entries.push([name, createHash('sha256').update(readFileSync(path)).digest('hex')]);
			}
		}
	};

	walk(dir);
	return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
