/** Apparent sizes (st_size) of a folder's entries, as `du -sb` counts them: files, folders and links alike. */
import {lstatSync, readdirSync} from 'node:fs';
import {join, relative} from 'node:path';

/**
 * Sums the apparent size of `folder` and everything below it into the bucket `classify` names for each entry's
 * path (relative to `folder`; the folder itself is ''). Use it to tell what a repository's bytes on disk are made of.
 */
export function apparentSizes<Bucket extends string>(folder: string, classify: (path: string, isFile: boolean) => Bucket): Map<Bucket, number> {
	const sums = new Map<Bucket, number>();
	const add = (path: string) => {
		let stat;
		try {
			stat = lstatSync(path);
		} catch {
			return; // Removed meanwhile (a lock released, a temporary pack renamed): no longer part of the repository.
		}

		const bucket = classify(relative(folder, path), stat.isFile());
		sums.set(bucket, (sums.get(bucket) ?? 0) + stat.size);
		if (!stat.isDirectory()) return;
		let names: string[];
		try {
			names = readdirSync(path);
		} catch {
			return;
		}

		for (const name of names) add(join(path, name));
	};

	add(folder);
	return sums;
}
