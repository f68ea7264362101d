/**
 * Garbage collection, under the exclusive side of the writers' gate (no backup in flight, none starting: see
 * repository-locks.ts): removes objects nothing references, pack files killed writers left pending (see
 * catalog/pending-packs.ts), and repacks packs whose live share fell below a threshold; not while a live restore pins
 * a point, since the restore reads the packs it resolved (that repack waits for the next gc). New packs are durable
 * before the catalog switches to them; old files are deleted only after that commit, so a crash at any instant
 * leaves either the old or the new layout, plus orphans the next gc removes.
 */
import {existsSync, readdirSync, rmSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';
import {
	clearPendingPacks,
	countCommit,
	deleteEmptiedPacks,
	deleteObjects,
	deletePacks,
	forgetDeadPending,
	insertPacks,
	inTransaction,
	judgeOrphans,
	livePins,
	markPending,
	moveObjects,
	objectsInPack,
	packIds,
	packNames,
	type PackUse,
	packUses,
	pendingHooks,
	recordOnlyPacks,
	unreferencedObjectIds,
} from '../catalog/index.js';
import {RuntimeError} from '../errors.js';
import {crashPoint} from '../crash.js';
import {heartbeatIfDue} from '../lock-heartbeat.js';
import {isProcessAlive} from '../lock.js';
import {lockForDeletion} from '../repository-locks.js';
import type {Repository} from '../repository.js';
import {now} from '../clock.js';
import {entryAt, ObjectKind, perObjectOverhead, PackReader, packPath, PackWriter} from '../store/index.js';

export const repackBelowLiveShare = 0.5;

export type GcResult = {
	deletedObjects: number;
	deletedPacks: number;
	repackedPacks: number;
	orphanFiles: number;
	freedBytes: number;
	/** Sparse packs left for the next gc because a restore was reading. */
	repackDeferred: number;
	/** Packs of records alone (manifests, state: store/manifest.ts) repacked; repackedPacks counts those holding data. */
	repackedRecordPacks: number;
};

export type GcOptions = {
	lockWaitMs?: number | undefined;
	repackBelow?: number | undefined;
	onWait?: ((line: string) => void) | undefined;
	signal?: AbortSignal | undefined;
	/** Also delete pack files no point accounts for, and accept a catalog that lost commits. */
	force?: boolean | undefined;
};

/** Deletes the objects referenced by nothing (no block-map entry, no recipe row), found and deleted in one transaction. */
function deleteUnreferencedObjects(repo: Repository): number {
	return inTransaction(repo, () => {
		const garbage = unreferencedObjectIds(repo);
		deleteObjects(repo, garbage);
		if (garbage.length > 0) countCommit(repo);
		return garbage.length;
	});
}

type Orphan = {name: string; path: string; size: number};

/** Pack files no pack row names, sorted by what gc may do with them (see catalog/pending-packs.ts). */
function findOrphans(repo: Repository): {garbage: Orphan[]; unaccounted: Orphan[]} {
	const known = packNames(repo);
	const judge = judgeOrphans(repo);
	const garbage: Orphan[] = [];
	const unaccounted: Orphan[] = [];
	// An old pack a repack left while a restore was reading stays until no restore is (see below).
	const packs = livePins(repo).length > 0 ? [] : readdirSync(repo.packsDir, {recursive: true, withFileTypes: true});
	for (const entry of packs) {
		if (!entry.isFile() || !entry.name.endsWith('.pack')) continue;
		const name = entry.name.slice(0, -'.pack'.length);
		if (known.has(name)) continue;
		const path = join(entry.parentPath, entry.name);
		const verdict = judge(name);
		if (verdict === 'in-progress') continue;
		(verdict === 'garbage' ? garbage : unaccounted).push({name, path, size: statSync(path).size});
	}

	return {garbage, unaccounted};
}

/** gc's refusal: pack files that may hold lost points' data, or a catalog that lost commits. Nothing was deleted. */
function refusal(repo: Repository, unaccounted: Orphan[]): RuntimeError {
	const shown = unaccounted.slice(0, 3).map(orphan => relative(repo.path, orphan.path));
	const more = unaccounted.length > shown.length ? ` and ${unaccounted.length - shown.length} more` : '';
	const packs = unaccounted.length > 0 ? `${unaccounted.length} pack file(s) that no point or running backup accounts for (${shown.join(', ')}${more}) may hold the data of recovery points the catalog lost` : '';
	const lost = repo.lostCommits ? `the catalog lacks ${repo.lostCommits.recorded - repo.lostCommits.catalog} committed change(s) it once held (catalog.db-wal was lost after an unclean stop)` : '';
	return new RuntimeError('GC_UNACCOUNTED', `gc deleted nothing: ${[lost, packs].filter(Boolean).join('; ')}`, {
		hint: 'Restore catalog.db and catalog.db-wal together from a copy of the repository; if the lost points are not wanted, `strata gc --force` deletes their data',
	});
}

function removeFiles(repo: Repository, orphans: Orphan[]): {files: number; bytes: number} {
	let files = 0;
	let bytes = 0;
	for (const orphan of orphans) {
		rmSync(orphan.path, {force: true});
		bytes += orphan.size;
		files++;
	}

	clearPendingPacks(repo, orphans.map(orphan => orphan.name));
	forgetDeadPending(repo, name => existsSync(packPath(repo.packsDir, name)));
	for (const name of readdirSync(repo.tmpDir)) {
		// Partial packs are named <pack>.pack.<pid>.partial: only a dead writer's are garbage.
		const pid = Number(/\.(\d+)\.partial$/.exec(name)?.[1]);
		if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) continue;
		const path = join(repo.tmpDir, name);
		bytes += statSync(path).size;
		rmSync(path, {force: true, recursive: true});
		files++;
	}

	return {files, bytes};
}

/**
 * Runs a garbage collection once no backup is in flight (it waits for them, telling onWait whom). It deletes a pack
 * file no point names only when a dead writer left it pending; any other (a lost point's) stops it before it deletes
 * anything, as does a catalog that lost commits, unless `force`, which deletes them and accepts the catalog as it is.
 */
export async function collectGarbage(repo: Repository, options: GcOptions = {}): Promise<GcResult> {
	repo.guardWrite('gc', {acceptLostCommits: true});
	const lock = await lockForDeletion(repo.path, {command: 'gc', waitMs: options.lockWaitMs, onWait: options.onWait, signal: options.signal});
	try {
		const found = findOrphans(repo);
		if ((found.unaccounted.length > 0 || repo.lostCommits) && !options.force) throw refusal(repo, found.unaccounted);
		const deletedObjects = deleteUnreferencedObjects(repo);
		if (deletedObjects > 0) repo.recordCommit();
		crashPoint('objects-deleted');
		const orphans = removeFiles(repo, [...found.garbage, ...found.unaccounted]);
		crashPoint('orphans-removed');
		const uses = packUses(repo, perObjectOverhead);
		const threshold = options.repackBelow ?? repackBelowLiveShare;
		const empty = uses.filter(use => use.objects === 0);
		const candidates = uses.filter(use => use.objects > 0 && use.live / use.size < threshold);
		const sparse = livePins(repo).length > 0 ? [] : candidates;
		const recordOnly = recordOnlyPacks(repo);
		const repackedRecordPacks = sparse.filter(use => recordOnly.has(use.id)).length;
		let freedBytes = orphans.bytes;
		if (sparse.length > 0) repack(repo, sparse);
		const gone = [...empty, ...sparse];
		inTransaction(repo, () => {
			deletePacks(repo, empty.map(use => use.id));
			// Files whose row goes stay this process's until deleted: a kill before that leaves them to the next gc.
			markPending(repo, empty.map(use => use.name));
			if (empty.length > 0) countCommit(repo);
		});
		if (empty.length > 0 || options.force) repo.recordCommit({acceptLoss: options.force === true});
		crashPoint('gc-committed');
		// Only files whose pack row is gone may go: a pack still holding a damaged object keeps its file.
		const remaining = packIds(repo);
		// A restore that pinned its point since the check above may have located objects in the old packs before the
		// repack committed: their files stay (now orphans, the next gc removes them). One pinned after this check
		// resolves against the new packs.
		const readersArrived = sparse.length > 0 && livePins(repo).length > 0;
		const deleted: string[] = [];
		for (const use of gone) {
			if (remaining.has(use.id) || (readersArrived && sparse.includes(use))) continue;
			rmSync(packPath(repo.packsDir, use.name), {force: true});
			deleted.push(use.name);
			freedBytes += use.size - (sparse.includes(use) ? use.live : 0);
		}

		// Only the deleted ones: a file left for a reader stays pending under this (soon dead) process, garbage for the next gc.
		clearPendingPacks(repo, deleted);

		crashPoint('packs-deleted');

		return {deletedObjects, deletedPacks: gone.length, repackedPacks: sparse.length - repackedRecordPacks, repackedRecordPacks, orphanFiles: orphans.files, freedBytes, repackDeferred: candidates.length - sparse.length};
	} finally {
		lock.release();
	}
}

/** Copies the live objects of sparse packs into new packs and points the catalog at them in one transaction. */
function repack(repo: Repository, packs: PackUse[]): void {
	const writer = new PackWriter(repo.packsDir, repo.tmpDir, undefined, false, pendingHooks(repo, repo.catalogPath));
	const reader = new PackReader(repo.packsDir);
	const moves: Array<{id: number; pack: number; offset: number}> = [];
	let committed = false;
	try {
		for (const pack of packs) {
			// All rows first: the writer records each new pack as pending, which a statement still iterating would block.
			for (const object of objectsInPack(repo, pack.id)) {
				heartbeatIfDue();
				const read = reader.readStored({packName: pack.name, offset: object.offset, storedLength: object.storedLength});
				if (!read) continue; // Damaged: verify reports it; repacking must not hide it by dropping the row.
				// Records (manifests, state) keep their kind in the new pack's index.
				const index = reader.index(pack.name);
				const kind = 'entries' in index ? entryAt(index.entries, object.offset)?.kind : undefined;
				const written = writer.add(object.hash, read.stored, object.rawLength, object.codec, kind ?? ObjectKind.Data);
				moves.push({id: object.id, pack: written.pack, offset: written.offset});
			}
		}

		const created = writer.finish();
		crashPoint('repack-durable');
		inTransaction(repo, () => {
			const ids = insertPacks(repo, created, now().toISOString());
			moveObjects(repo, moves.map(entry => ({id: entry.id, packId: ids[entry.pack]!, offset: entry.offset})));
			markPending(repo, deleteEmptiedPacks(repo, packs));
			clearPendingPacks(repo, created.map(pack => pack.name));
			countCommit(repo);
		});
		repo.recordCommit();
		committed = true;
		crashPoint('repack-committed');
	} finally {
		reader.close();
		if (!committed) {
			writer.discard();
			clearPendingPacks(repo, writer.packs.map(pack => pack.name));
		}
	}
}
