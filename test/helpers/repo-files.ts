/** Looking at a repository's files from the outside, as a person with `ls` and `du` would. */
import {readdirSync, readlinkSync, statSync} from 'node:fs';
import {join} from 'node:path';

/** Every pack file of a repository. */
export function packFiles(repo: string): string[] {
	return readdirSync(join(repo, 'packs'), {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.map(entry => join(entry.parentPath, entry.name));
}

/** The bytes of every file below a folder. */
export function folderBytes(path: string): number {
	return readdirSync(path, {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** The bytes of a repository's packs. */
export function packBytes(repo: string): number {
	return folderBytes(join(repo, 'packs'));
}

/** The repository's pack files this process has open (from /proc/self/fd): none once a job has ended. */
export function openPackFiles(repo: string): string[] {
	return readdirSync('/proc/self/fd')
		.map(fd => {
			try {
				return readlinkSync(join('/proc/self/fd', fd));
			} catch {
				return ''; // Closed meanwhile (the listing's own descriptor, say).
			}
		})
		.filter(path => path.startsWith(join(repo, 'packs')));
}
