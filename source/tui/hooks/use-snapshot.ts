/**
 * Live data: re-reads the catalog when another process changed it, or when the open view needs other data (an
 * item's points, a job). `PRAGMA data_version` changes only when another connection commits, so polling it once a
 * second costs next to nothing and redraws happen only on real change.
 */
import {useEffect, useState} from 'react';
import {dataVersion, type Repository} from '../../engine/index.js';
import {loadOpenView, loadSnapshot, type OpenView, type Snapshot} from '../data/snapshot.js';

export const pollMs = 1000;

export type SnapshotSource = {
	repo: Repository;
	now: () => Date;
	repositoryPath: string;
	/** Changing it reads again (after the console started a job, say). */
	refreshKey: number;
	open: OpenView;
	/** Called when the catalog's files were replaced under the connection (see Repository.catalogReplaced). */
	onReplaced?: (() => void) | undefined;
};

/**
 * The current snapshot, refreshed when the repository changes; it stops reading when the catalog was replaced. And
 * `readFor`, which reads it at once for a view about to open, from the key that opens it: the view's first frame
 * then shows its data, not a blank waiting for the effect below.
 */
export function useSnapshot({repo, now, repositoryPath, refreshKey, open, onReplaced}: SnapshotSource): [Snapshot, (view: OpenView) => void] {
	const [snapshot, setSnapshot] = useState(() => loadSnapshot(repo, now(), repositoryPath, open));
	// Only the view's part: the rest was read when the catalog last changed, and a full read is slow under load. Read
	// here, in the key's handler; the updater below only merges (React may call it while rendering).
	const readFor = (view: OpenView) => {
		const part = loadOpenView(repo, view, snapshot.cost);
		setSnapshot(previous => ({...previous, ...part}));
	};
	const {pointsOf, jobId} = open;
	useEffect(() => {
		const read = () => loadSnapshot(repo, now(), repositoryPath, {pointsOf, jobId});
		setSnapshot(read());
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
			setSnapshot(read());
		}, pollMs);
		return () => clearInterval(timer);
	}, [repo, repositoryPath, refreshKey, onReplaced, pointsOf, jobId]);
	return [snapshot, readFor];
}
