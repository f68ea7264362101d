/**
 * Protection states. Stopping with delete-data soft-deletes an item and its points for 14 days (nothing expires;
 * `undelete` brings them back as stopped with data retained), after which the scheduler purges them. Stopping with
 * retain-data keeps every point, never expiring, until protection resumes.
 */
import {countCommit, deleteItem, getItemById, itemIsPinned, listItems, listPoints, purgeItemPoints, requireItem, setItemState} from '../catalog/index.js';
import {now} from '../clock.js';
import {UserError} from '../errors.js';
import type {Item} from '../model/index.js';
import {lockItemSync} from '../repository-locks.js';
import type {Repository} from '../repository.js';
import {recordingState, withRecords} from '../store/manifest-writer.js';

export const softDeleteDays = 14;
const dayMs = 24 * 60 * 60 * 1000;

/** When a soft-deleted item is purged. */
export function purgeAt(item: Item): Date | undefined {
	return item.deletedAt ? new Date(new Date(item.deletedAt).getTime() + softDeleteDays * dayMs) : undefined;
}

/** Stops protection: no new jobs; the data is soft-deleted (deleteData) or retained without expiry. */
export function stopProtection(repo: Repository, itemName: string, options: {deleteData: boolean}): Item {
	const item = requireItem(repo, itemName);
	if (item.state === 'stopped-deleted') {
		throw new UserError('ITEM_DELETED', `item "${item.name}" is already deleted (purged on ${purgeAt(item)!.toISOString().slice(0, 10)})`, {hint: `Bring it back with \`strata undelete ${item.name}\``});
	}

	recordingState(repo, () => setItemState(repo, item.id, options.deleteData ? 'stopped-deleted' : 'stopped-retained', options.deleteData ? now().toISOString() : null));
	return getItemById(repo, item.id)!;
}

/**
 * Resumes protection of a stopped item: its policy applies again, including expiry. Resuming an active item changes
 * nothing (`wasActive` says so, for the caller to tell the user rather than claim it resumed).
 */
export function resumeProtection(repo: Repository, itemName: string): {item: Item; wasActive: boolean} {
	const item = requireItem(repo, itemName);
	if (item.state === 'stopped-deleted') {
		throw new UserError('ITEM_DELETED', `item "${item.name}" is deleted`, {hint: `Undelete it first with \`strata undelete ${item.name}\``});
	}

	if (item.state === 'active') return {item, wasActive: true};
	recordingState(repo, () => setItemState(repo, item.id, 'active', null));
	return {item: getItemById(repo, item.id)!, wasActive: false};
}

/** Brings a soft-deleted item back, stopped with its data retained. */
export function undeleteItem(repo: Repository, itemName: string): Item {
	const item = requireItem(repo, itemName);
	if (item.state !== 'stopped-deleted') {
		throw new UserError('ITEM_NOT_DELETED', `item "${item.name}" is not deleted (it is ${item.state})`, {hint: 'Nothing to undelete'});
	}

	recordingState(repo, () => setItemState(repo, item.id, 'stopped-retained', null));
	return getItemById(repo, item.id)!;
}

/** The items soft-deleted more than 14 days before `at`, which a purge would remove: to tell whether one is due. */
export function duePurges(repo: Repository, at: Date = now()): Item[] {
	return listItems(repo).filter(item => item.state === 'stopped-deleted' && purgeAt(item)!.getTime() <= at.getTime());
}

/** Purges items soft-deleted more than 14 days before `at`: their points and the item itself. Returns their names. */
export function purgeDeleted(repo: Repository, at: Date = now()): string[] {
	const due = duePurges(repo, at);
	if (due.length > 0) repo.guardWrite('purge');
	const purged: string[] = [];
	for (const item of due) {
		const lock = lockItemSync(repo.path, item.id, {command: `purge ${item.name}`});
		try {
			// With tombstones of its points and the state without it (store/manifest-writer.ts), in the same commit.
			const done = withRecords(repo, batch => {
				// A live restore of one of its points keeps the item until the next run.
				if (itemIsPinned(repo, item.id)) return false;
				for (const point of listPoints(repo, item.id)) batch.pointDeleted(point.id);
				batch.state();
				purgeItemPoints(repo, item.id);
				deleteItem(repo, item.name);
				countCommit(repo);
				return true;
			});
			if (done) {
				repo.recordCommit();
				purged.push(item.name);
			}
		} finally {
			lock.release();
		}
	}

	return purged;
}
