/** What a restore target path names now, in the dialog's words: read by the keys hook after each edit. */
import {existsSync, statSync} from 'node:fs';

/** "new", "an existing folder ...", "EXISTS and is not empty ..." or "exists, empty" for a typed path. */
export function describeTarget(path: string): string {
	if (path === '') return 'not given yet';
	try {
		if (!existsSync(path)) return 'new';
		const info = statSync(path);
		return info.isDirectory() ? 'an existing folder: one file per disk inside it' : info.size > 0 ? 'EXISTS and is not empty: refused (use the CLI with --force)' : 'exists, empty';
	} catch {
		return 'not readable';
	}
}
