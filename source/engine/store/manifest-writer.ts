/**
 * Writes records (store/manifest.ts) in the transaction of the change they describe: `withRecords` runs a catalog
 * transaction in which the body changes the catalog and says which points' manifests, deletions and whether the state
 * to write; then, still inside the transaction (holding the catalog's write lock, so the sequence number and what the
 * records say are the committed state), it reads them back from the catalog, writes them into one pack of their own,
 * makes that pack durable (fsync, rename, folder fsync) and names it in the same commit. The pack's name is recorded
 * as pending in a commit of its own before it is made, so a kill before the commit leaves garbage gc removes.
 *
 * One pack per change: a change's records become visible together or not at all. Parts the repository already holds
 * as current records (a manifest rewritten after a change of its head alone) are not written again.
 */
import {randomBytes} from 'node:crypto';
import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {blockEntryPage, insertRecordPack, manifestPoint, nextRecordSeq, recipePage, recordObjectId, setRecords, stateRows} from '../catalog/manifests.js';
import {type CatalogHandle, inTransaction} from '../catalog/connection.js';
import {clearPendingPacks, recordPendingPack} from '../catalog/pending-packs.js';
import {now} from '../clock.js';
import {crashPoint} from '../crash.js';
import {closeQuietly, fsyncPath, writeFully} from './file-writes.js';
import {Codec, contentHash, encodeIndexEntry, encodePackTrailer, hashLength, indexEntryLength, ObjectKind, packMagic} from './format.js';
import {blockEntriesPerPart, blockEntryLength, encodeHead, encodeState, encodeTombstone, entryCharged, entryHasObject, recipeStepLength, recipeStepsPerPart, recordTag} from './manifest.js';
import {packPath} from './pack-reader.js';

/** Where records go: the catalog (the Repository) and its folders. */
export type RecordTarget = CatalogHandle & {readonly packsDir: string; readonly tmpDir: string; readonly catalogPath: string};

/** What a change asks to be recorded. */
export class RecordBatch {
	readonly points = new Set<number>();
	readonly deleted = new Set<number>();
	withState = false;

	/** Writes this point's manifest as it is at commit. */
	point(rpId: number): this {
		this.points.add(rpId);
		this.deleted.delete(rpId);
		return this;
	}

	/** Records that this point was deleted (a tombstone). */
	pointDeleted(rpId: number): this {
		this.deleted.add(rpId);
		this.points.delete(rpId);
		return this;
	}

	/** Writes the repository's state (items, policies, settings) as it is at commit. */
	state(): this {
		this.withState = true;
		return this;
	}

	get empty(): boolean {
		return this.points.size === 0 && this.deleted.size === 0 && !this.withState;
	}
}

type Placed = {kind: ObjectKind; index: number} | {kind: ObjectKind; id: number};

/** A pack of records being written under tmp/. */
class RecordPack {
	private fd: number | undefined;
	private size = 0;
	private readonly entries: Array<{hash: Buffer; offset: number; storedLength: number; rawLength: number; codec: Codec; kind: ObjectKind}> = [];
	private readonly byHash = new Map<string, number>();
	readonly path: string;
	readonly finalPath: string;
	renamed = false;

	constructor(
		private readonly target: RecordTarget,
		readonly name: string,
	) {
		this.path = join(target.tmpDir, `${name}.pack.${process.pid}.partial`);
		this.finalPath = packPath(target.packsDir, name);
	}

	get written(): number {
		return this.entries.length;
	}

	/** Adds a record object unless this pack or the repository's current records hold it already. */
	put(bytes: Buffer, kind: ObjectKind, existing: (hash: Buffer) => number | undefined, hash = contentHash(bytes)): Placed {
		const key = hash.toString('hex');
		const known = this.byHash.get(key);
		if (known !== undefined) return {kind, index: known};
		const id = existing(hash);
		if (id !== undefined) return {kind, id};
		if (this.fd === undefined) {
			this.fd = openSync(this.path, 'wx', 0o600);
			writeFully(this.fd, packMagic, packMagic.length, 0);
			this.size = packMagic.length;
		}

		writeFully(this.fd, bytes, bytes.length, this.size);
		this.entries.push({hash, offset: this.size, storedLength: bytes.length, rawLength: bytes.length, codec: Codec.Raw, kind});
		this.byHash.set(key, this.entries.length - 1);
		this.size += bytes.length;
		return {kind, index: this.entries.length - 1};
	}

	/** Appends the index and trailer, makes the pack durable and renames it into packs/ (after the pending row's -wal). */
	seal(): {name: string; size: number; objects: RecordPack['entries']} {
		const fd = this.fd!;
		const index = Buffer.alloc(this.entries.length * indexEntryLength);
		this.entries.forEach((entry, at) => encodeIndexEntry(index, at * indexEntryLength, entry));
		const trailer = encodePackTrailer(index, this.size);
		writeFully(fd, index, index.length, this.size);
		writeFully(fd, trailer, trailer.length, this.size + index.length);
		this.size += index.length + trailer.length;
		fsyncSync(fd);
		closeSync(fd);
		this.fd = undefined;
		try {
			fsyncPath(`${this.target.catalogPath}-wal`);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}

		const folder = join(this.target.packsDir, this.name.slice(0, 2));
		mkdirSync(folder, {recursive: true, mode: 0o700});
		renameSync(this.path, this.finalPath);
		this.renamed = true;
		fsyncPath(folder);
		return {name: this.name, size: this.size, objects: this.entries};
	}

	discard(): void {
		if (this.fd !== undefined) closeQuietly(this.fd);
		rmSync(this.path, {force: true});
		if (this.renamed) rmSync(this.finalPath, {force: true});
	}
}

/** Writes one point's parts and head into the pack; returns where each went, head last. */
function writeManifest(target: RecordTarget, pack: RecordPack, rpId: number, seq: number, existing: (hash: Buffer) => number | undefined): Placed[] | undefined {
	const point = manifestPoint(target, rpId);
	if (!point) return undefined;
	const placed: Placed[] = [];
	const parts: string[] = [];
	let entries = 0;
	const putPart = (bytes: Buffer) => {
		const hash = contentHash(bytes);
		placed.push(pack.put(bytes, ObjectKind.Manifest, existing, hash));
		parts.push(hash.toString('hex'));
	};

	// Each part is encoded row by row into one buffer, reused: the part's bytes are written and hashed before the next.
	if (point.hasRecipe) {
		const part = Buffer.allocUnsafe(1 + recipeStepsPerPart * recipeStepLength);
		part[0] = recordTag.recipe;
		for (let from = 0; ; ) {
			let count = 0;
			let last = -1;
			for (const [seq, hex, charged] of recipePage(target, rpId, from, recipeStepsPerPart)) {
				const at = 1 + count * recipeStepLength;
				part[at] = entryHasObject | (charged === 1 ? entryCharged : 0);
				if (hex) part.write(hex, at + 1, hashLength, 'hex');
				else part.fill(0, at + 1, at + 1 + hashLength);
				count++;
				last = seq;
			}

			if (count === 0) break;
			putPart(part.subarray(0, 1 + count * recipeStepLength));
			entries += count;
			from = last + 1;
		}
	} else {
		const part = Buffer.allocUnsafe(1 + blockEntriesPerPart * blockEntryLength);
		part[0] = recordTag.block;
		for (let after = {diskId: -1, blockIndex: -1}; ; ) {
			let at = 1;
			let count = 0;
			let lastDisk = -1;
			let lastBlock = -1;
			for (const [diskId, blockIndex, hex, charged] of blockEntryPage(target, rpId, after, blockEntriesPerPart)) {
				part.writeUInt32LE(diskId, at);
				part.writeUIntLE(blockIndex, at + 4, 6);
				part[at + 10] = (hex ? entryHasObject : 0) | (charged === 1 ? entryCharged : 0);
				at += 11;
				if (hex) at += part.write(hex, at, hashLength, 'hex');
				count++;
				lastDisk = diskId;
				lastBlock = blockIndex;
			}

			if (count === 0) break;
			putPart(part.subarray(0, at));
			entries += count;
			after = {diskId: lastDisk, blockIndex: lastBlock};
		}
	}

	const {hasRecipe, ...described} = point;
	const head = encodeHead({v: 1, seq, writtenAt: Date.now(), point: described, partKind: hasRecipe ? 'recipe' : 'block', parts, entries});
	placed.push(pack.put(head, ObjectKind.Manifest, existing));
	return placed;
}

/** Writes what `batch` asks, inside the caller's transaction. */
function writeBatch(target: RecordTarget, pack: RecordPack, batch: RecordBatch): void {
	const seq = nextRecordSeq(target);
	const existing = (hash: Buffer) => recordObjectId(target, hash);
	const plans: Array<{rpId: number; placed: Placed[]; kind: ObjectKind}> = [];
	for (const rpId of [...batch.points].sort((a, b) => a - b)) {
		const placed = writeManifest(target, pack, rpId, seq, existing);
		// A point gone by the commit (merged away in the same change) gets a tombstone instead.
		if (placed) plans.push({rpId, placed, kind: ObjectKind.Manifest});
		else batch.deleted.add(rpId);
	}

	for (const rpId of [...batch.deleted].sort((a, b) => a - b)) {
		plans.push({rpId, placed: [pack.put(encodeTombstone({v: 1, seq, writtenAt: Date.now(), pointId: rpId}), ObjectKind.Manifest, existing)], kind: ObjectKind.Manifest});
	}

	if (batch.withState) {
		const state = encodeState({v: 1, seq, writtenAt: Date.now(), ...stateRows(target)});
		plans.push({rpId: 0, placed: [pack.put(state, ObjectKind.State, existing)], kind: ObjectKind.State});
	}

	let ids: number[] = [];
	if (pack.written > 0) {
		const sealed = pack.seal();
		crashPoint('records-durable');
		ids = insertRecordPack(target, sealed, sealed.objects, now().toISOString());
	}

	for (const plan of plans) setRecords(target, plan.rpId, plan.placed.map(where => ('id' in where ? where.id : ids[where.index]!)), plan.kind);
}

/**
 * Runs `body` in one catalog transaction (BEGIN IMMEDIATE) and commits the records it asks for with it (see the file's
 * comment). Call it outside any transaction. A failure removes the records' pack and rolls everything back.
 */
export function withRecords<T>(target: RecordTarget, body: (batch: RecordBatch) => T): T {
	const name = randomBytes(16).toString('hex');
	recordPendingPack(target, name);
	const pack = new RecordPack(target, name);
	const batch = new RecordBatch();
	try {
		return inTransaction(target, () => {
			const result = body(batch);
			if (!batch.empty) writeBatch(target, pack, batch);
			clearPendingPacks(target, [name]);
			return result;
		});
	} catch (error) {
		pack.discard();
		clearPendingPacks(target, [name]);
		throw error;
	}
}

/** Whether a catalog handle is a repository's (records can be written beside it), not a bare or in-memory catalog. */
export function isRecordTarget(handle: CatalogHandle): handle is RecordTarget {
	return 'packsDir' in handle && 'tmpDir' in handle && 'catalogPath' in handle;
}

/**
 * Runs a change of items, policies or settings and, on a repository, then writes the new state record. Two commits,
 * not one: a change refused (a duplicate name, say) must leave the catalog's file as it was, and the state record's
 * pending row would already have changed it. Killed in between, the packs' state lags that one change until the next
 * one (or the next backup) writes it again.
 */
export function recordingState<T>(handle: CatalogHandle, body: () => T): T {
	const result = body();
	if (isRecordTarget(handle)) withRecords(handle, batch => batch.state());
	return result;
}
