/**
 * `strata upgrade`: turns a format-2 repository (packs "STRPACK1": a 41-byte header before every object, no index)
 * into format 3. Pack by pack, the objects the catalog names are copied into a new format-3 pack (through PackWriter:
 * durable before the catalog points at it), the objects' rows are moved to it and the old pack's row dropped in one
 * transaction, and the old file deleted after that commit. Then every point's manifest and the state are written (the
 * records that let `strata catalog rebuild` work), and strata.json says format 3 last. Killed at any instant, it is
 * run again and goes on from where it was: packs already rewritten are format 3 and skipped; a killed writer's pack is
 * pending, garbage for gc.
 */
import {closeSync, openSync, readSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {
	catalogPacks,
	clearPendingPacks,
	countCommit,
	deleteEmptiedPacks,
	insertPacks,
	inTransaction,
	markPending,
	moveObjects,
	objectsInPack,
	pendingHooks,
} from '../catalog/index.js';
import {allPointIds} from '../catalog/manifests.js';
import {now} from '../clock.js';
import {crashPoint} from '../crash.js';
import {RuntimeError} from '../errors.js';
import {lockForDeletionSync} from '../repository-locks.js';
import {Repository, repositoryFormat} from '../repository.js';
import {decodeObjectHeader, objectHeaderLength, packMagic, packMagicV2, packPath, PackWriter, withRecords, writeFileAtomic} from '../store/index.js';

export type UpgradeReport = {path: string; from: number; to: number; rewrittenPacks: number; movedObjects: number; describedPoints: number};

/** The first 8 bytes of a pack file, or undefined when it cannot be read. */
function magicOf(path: string): Buffer | undefined {
	let fd: number;
	try {
		fd = openSync(path, 'r');
	} catch {
		return undefined;
	}

	try {
		const magic = Buffer.alloc(packMagic.length);
		return readSync(fd, magic, 0, magic.length, 0) === magic.length ? magic : undefined;
	} finally {
		closeSync(fd);
	}
}

/** Rewrites one format-2 pack as a format-3 one and points the catalog at it; returns how many objects moved. */
function rewritePack(repo: Repository, pack: {id: number; name: string}): number {
	const path = packPath(repo.packsDir, pack.name);
	const writer = new PackWriter(repo.packsDir, repo.tmpDir, Number.MAX_SAFE_INTEGER, false, pendingHooks(repo, repo.catalogPath));
	const moves: Array<{id: number; offset: number}> = [];
	let committed = false;
	const fd = openSync(path, 'r');
	try {
		for (const object of objectsInPack(repo, pack.id)) {
			// In format 2 the catalog's offset is the object's header; its stored bytes follow it.
			const bytes = Buffer.alloc(objectHeaderLength + object.storedLength);
			const read = readSync(fd, bytes, 0, bytes.length, object.offset);
			const header = read === bytes.length ? decodeObjectHeader(bytes) : undefined;
			if (!header || header.storedLength !== object.storedLength || !header.hash.equals(object.hash)) {
				throw new RuntimeError('PACK_DAMAGED', `pack ${pack.name} does not hold object ${object.hash.toString('hex').slice(0, 12)} where the catalog says (offset ${object.offset})`, {
					hint: 'Run `strata verify` with the Strata that wrote this repository and repair it there, or restore the pack from a copy; then run `strata upgrade` again',
				});
			}

			const written = writer.add(object.hash, bytes.subarray(objectHeaderLength), object.rawLength, object.codec);
			moves.push({id: object.id, offset: written.offset});
		}

		const created = writer.finish();
		crashPoint('upgrade-pack-durable');
		inTransaction(repo, () => {
			const ids = insertPacks(repo, created, now().toISOString());
			moveObjects(repo, moves.map(move => ({id: move.id, packId: ids[0]!, offset: move.offset})));
			// The old file stays this process's until deleted: killed before that, it is garbage for the next gc.
			markPending(repo, deleteEmptiedPacks(repo, [pack]));
			clearPendingPacks(repo, created.map(each => each.name));
			countCommit(repo);
		});
		repo.recordCommit();
		committed = true;
		crashPoint('upgrade-pack-committed');
	} finally {
		closeSync(fd);
		if (!committed) {
			writer.discard();
			clearPendingPacks(repo, writer.packs.map(each => each.name));
		}
	}

	rmSync(path, {force: true});
	clearPendingPacks(repo, [pack.name]);
	return moves.length;
}

/** Upgrades the repository at `path` to format 3 (a format-3 one is left as it is). */
export function upgradeRepository(path: string): UpgradeReport {
	const repo = Repository.open(path, {upgrading: true});
	try {
		const from = repo.config.format;
		if (from === repositoryFormat) return {path: repo.path, from, to: from, rewrittenPacks: 0, movedObjects: 0, describedPoints: 0};
		repo.guardWrite('upgrade');
		const lock = lockForDeletionSync(repo.path, {command: 'upgrade'});
		try {
			let rewrittenPacks = 0;
			let movedObjects = 0;
			for (const pack of catalogPacks(repo)) {
				const magic = magicOf(packPath(repo.packsDir, pack.name));
				if (!magic?.equals(packMagicV2)) continue; // Rewritten by an earlier run (format 3), or missing: verify's business.
				movedObjects += rewritePack(repo, pack);
				rewrittenPacks++;
			}

			// Every point's manifest and the state, in one commit: the records a rebuild reads.
			const points = allPointIds(repo);
			withRecords(repo, batch => {
				for (const id of points) batch.point(id);
				batch.state();
			});
			crashPoint('upgrade-records-committed');
			writeFileAtomic(join(repo.path, 'strata.json'), `${JSON.stringify({...repo.config, format: repositoryFormat}, null, 2)}\n`);
			return {path: repo.path, from, to: repositoryFormat, rewrittenPacks, movedObjects, describedPoints: points.length};
		} finally {
			lock.release();
		}
	} finally {
		repo.close();
	}
}
