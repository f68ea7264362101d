/**
 * Live data: re-reads the catalog when another process changed it. `PRAGMA data_version` changes only when another
 * connection commits, so polling it once a second costs next to nothing and redraws happen only on real change.
 */
import {useEffect, useState} from 'react';
import {dataVersion, type Repository} from '../../engine/index.js';
import {loadSnapshot, type Snapshot} from '../data/snapshot.js';

export const pollMs = 1000;

/**
 * The current snapshot, refreshed when the repository changes (or `refreshKey` does). When the catalog's files were
 * replaced under the connection (see Repository.catalogReplaced) it stops reading and calls `onReplaced`.
 */
export function useSnapshot(repo: Repository, now: () => Date, repositoryPath: string, refreshKey: number, onReplaced?: () => void): Snapshot {
	const [snapshot, setSnapshot] = useState(() => loadSnapshot(repo, now(), repositoryPath));
	useEffect(() => {
		setSnapshot(loadSnapshot(repo, now(), repositoryPath));
		let version = dataVersion(repo);
		const timer = setInterval(() => {
			if (onReplaced && repo.catalogReplaced()) {
				clearInterval(timer);
				onReplaced();
				return;
			}

			const current = dataVersion(repo);
			if (current === version) return;
			version = current;
			setSnapshot(loadSnapshot(repo, now(), repositoryPath));
		}, pollMs);
		return () => clearInterval(timer);
	}, [repo, repositoryPath, refreshKey, onReplaced]);
	return snapshot;
}
