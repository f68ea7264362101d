/**
 * Recovery points in the catalog: the commit that makes one visible, listing, and resolving a point's block map
 * through its chain (its own entries, then its base's, down to the full).
 */
import type {Database, Statement} from 'better-sqlite3';
import {type CatalogHandle, connectionOf} from './connection.js';
import {countCommit} from './commits.js';
import {clearPendingPacks} from './pending-packs.js';
import {BugError, UserError} from '../errors.js';
import {heartbeatIfDue} from '../lock-heartbeat.js';
import {type BackupType, formatRecoveryPointId, hashLength, type ItemKind, type RecoveryPoint, type Trigger, type WrittenPack} from '../model/index.js';
import {applyRepairs, type Repair} from './damage.js';
import {insertStagedObjects, nextObjectId} from './objects.js';
import {type Staging, stagingReadCacheKiB, stagingSchema} from './staging.js';

type PointRow = {
	id: number;
	item_id: number;
	item_name: string;
	item_kind: ItemKind;
	type: BackupType;
	trigger: Trigger;
	base_id: number | null;
	created_at: string;
	retain_until: string | null;
	changed_blocks: number;
	owned_blocks: number;
	logical_bytes: number;
	stored_bytes: number;
	meta: string;
};

/**
 * An entry's object reference during a backup: a positive catalog object id, `-(k + 1)` for the k-th object this
 * backup wrote (staged: catalog/staging.ts), or 0 for "no data" (a block that became zero or fell off a shrunk disk).
 */
export type ObjectRef = number;

/** What a backup read of one disk; its block-map entries are in the backup's staging file. */
export type DiskCapture = {
	diskId: number;
	size: number;
	changedBlocks: number;
	changedBytes: number;
	/** Bytes of non-zero blocks at capture. */
	usedBytes: number;
};

export type PointCommit = {
	itemId: number;
	type: BackupType;
	trigger: Trigger;
	baseId: number | undefined;
	createdAt: string;
	retainUntil: string | undefined;
	changedBlocks: number;
	meta: Record<string, unknown>;
	packs: WrittenPack[];
	/** The backup's new objects, block-map entries and recipe: moved into the catalog by the commit. */
	staging: Staging;
	disks: DiskCapture[];
	/**
	 * For stream points (dumps), whose recipe is staged: the commit counts the changed chunks (distinct chunks not in
	 * the previous point's recipe, if any) into changed_blocks and their raw bytes into meta.changedBytes.
	 */
	streamChurn?: {previousId: number | undefined};
	/** Fresh copies of objects marked damaged: their rows are repointed in the same transaction. */
	repairs?: readonly Repair[];
};

/**
 * Makes a recovery point visible: packs, the staged objects, block map or recipe, and aggregates in one transaction.
 * Returns its id. The staging file is closed here and attached to the catalog for the transaction's INSERT ... SELECT.
 */
export function commitRecoveryPoint(catalog: CatalogHandle, commit: PointCommit): number {
	const db = connectionOf(catalog);
	if (isAttached(db)) return db.transaction(() => insertPoint(db, commit)).immediate();
	return withStagingAttached(catalog, commit.staging, () => db.transaction(() => insertPoint(db, commit)).immediate());
}

function isAttached(db: Database): boolean {
	return (db.prepare('SELECT count(*) FROM pragma_database_list WHERE name = ?').pluck().get(stagingSchema) as number) > 0;
}

/**
 * Runs `body` with a backup's staging file closed and attached to the catalog as `staged`, outside any transaction
 * (SQLite attaches none inside one): a commit that wraps commitRecoveryPoint in a transaction of its own (the records
 * of store/manifest-writer.ts) attaches first.
 */
export function withStagingAttached<T>(catalog: CatalogHandle, staging: Staging, body: () => T): T {
	const db = connectionOf(catalog);
	staging.close();
	db.prepare(`ATTACH DATABASE ? AS ${stagingSchema}`).run(staging.path);
	try {
		// Read once, in order: an attached file's own page cache (16 MB by default) would only add to the peak.
		db.pragma(`${stagingSchema}.cache_size = -${stagingReadCacheKiB}`);
		return body();
	} finally {
		db.prepare(`DETACH DATABASE ${stagingSchema}`).run();
	}
}

function insertPoint(db: Database, commit: PointCommit): number {
	const {lastInsertRowid} = db
		.prepare('INSERT INTO recovery_points (item_id, type, trigger, base_id, created_at, retain_until, changed_blocks, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
		.run(commit.itemId, commit.type, commit.trigger, commit.baseId ?? null, commit.createdAt, commit.retainUntil ?? null, commit.changedBlocks, JSON.stringify(commit.meta));
	const rpId = Number(lastInsertRowid);
	const insertPack = db.prepare('INSERT INTO packs (name, size, created_at) VALUES (?, ?, ?)');
	const packIds = commit.packs.map(pack => Number(insertPack.run(pack.name, pack.size, commit.createdAt).lastInsertRowid));
	// Staged objects name their pack by its index in the backup's list; the rows just made have consecutive ids (this
	// transaction is the only writer, and a new rowid is the largest plus one).
	packIds.forEach((id, index) => {
		if (id !== packIds[0]! + index) throw new BugError(`pack ids of one commit are not consecutive: ${packIds.join(', ')}`);
	});
	const healed = applyRepairs(db, packIds, commit.repairs ?? [], commit.createdAt);
	clearPendingPacks(db, commit.packs.map(pack => pack.name));
	countCommit(db);
	// New objects get ids counted on from the largest one: this transaction is the only writer (immediate).
	const firstId = nextObjectId(db);
	insertStagedObjects(db, {firstId, firstPackId: packIds[0] ?? 0, rpId});
	const insertDisk = db.prepare('INSERT INTO rp_disks (rp_id, disk_id, size, changed_blocks, changed_bytes, used_bytes) VALUES (?, ?, ?, ?, ?, ?)');
	for (const disk of commit.disks) insertDisk.run(rpId, disk.diskId, disk.size, disk.changedBlocks, disk.changedBytes, disk.usedBytes);
	db.prepare(
		`INSERT INTO block_map (rp_id, disk_id, block_index, object_id)
		SELECT @rpId, disk_id, block_index, CASE WHEN ref > 0 THEN ref WHEN ref < 0 THEN @firstId - ref - 1 END
		FROM ${stagingSchema}.entries ORDER BY disk_id, block_index`,
	).run({rpId, firstId});
	db.prepare(
		`INSERT INTO recipes (rp_id, seq, object_id)
		SELECT @rpId, seq, CASE WHEN ref > 0 THEN ref ELSE @firstId - ref - 1 END FROM ${stagingSchema}.recipe ORDER BY seq`,
	).run({rpId, firstId});
	if (commit.streamChurn) countStreamChurn(db, rpId, commit.streamChurn.previousId);
	heartbeatIfDue();
	refreshPointAggregates(db, rpId);
	for (const healedRp of healed) if (healedRp !== rpId) refreshPointAggregates(db, healedRp);
	return rpId;
}

/** A dump point's churn: its distinct chunks not in the previous point's recipe, counted and their raw bytes summed. */
function countStreamChurn(db: Database, rpId: number, previousId: number | undefined): void {
	db.prepare(
		`WITH changed AS (
			SELECT DISTINCT object_id FROM recipes WHERE rp_id = @rpId
			EXCEPT SELECT object_id FROM recipes WHERE rp_id = @previousId
		),
		totals AS (SELECT count(*) AS chunks, coalesce(sum(o.raw_length), 0) AS bytes FROM changed c JOIN objects o ON o.id = c.object_id)
		UPDATE recovery_points SET changed_blocks = totals.chunks, meta = json_set(meta, '$.changedBytes', totals.bytes)
		FROM totals WHERE id = @rpId`,
	).run({rpId, previousId: previousId ?? null});
}

/** Makes fresh copies of marked objects count (`strata repair`): their packs and the repointed rows in one transaction. */
export function commitRepairs(catalog: CatalogHandle, packs: readonly WrittenPack[], repairs: readonly Repair[], at: string): void {
	const db = connectionOf(catalog);
	db.transaction(() => {
		const insertPack = db.prepare('INSERT INTO packs (name, size, created_at) VALUES (?, ?, ?)');
		const packIds = packs.map(pack => Number(insertPack.run(pack.name, pack.size, at).lastInsertRowid));
		for (const rpId of applyRepairs(db, packIds, repairs, at)) refreshPointAggregates(db, rpId);
		clearPendingPacks(db, packs.map(pack => pack.name));
		if (packs.length > 0) countCommit(db);
	}).immediate();
}

/**
 * Recomputes a point's owned blocks (chunks), logical bytes and stored bytes: from its block-map entries, or for a
 * stream point from the distinct chunks of its recipe that its base's recipe lacks; stored bytes are its charged objects.
 */
export function refreshPointAggregates(catalog: CatalogHandle, rpId: number): void {
	const db = connectionOf(catalog);
	if (db.prepare('SELECT 1 FROM recipes WHERE rp_id = ? LIMIT 1').get(rpId)) {
		db.prepare(
			`WITH point AS (SELECT base_id FROM recovery_points WHERE id = @id),
			introduced AS (
				SELECT DISTINCT r.object_id FROM recipes r WHERE r.rp_id = @id
				AND NOT EXISTS (SELECT 1 FROM recipes b, point WHERE b.object_id = r.object_id AND b.rp_id = point.base_id)
			)
			UPDATE recovery_points SET
				owned_blocks = (SELECT count(*) FROM introduced),
				logical_bytes = (SELECT coalesce(sum(o.raw_length), 0) FROM introduced i JOIN objects o ON o.id = i.object_id),
				stored_bytes = (SELECT coalesce(sum(stored_length), 0) FROM objects WHERE charged_rp_id = @id)
			WHERE id = @id`,
		).run({id: rpId});
		return;
	}

	db.prepare(
		`UPDATE recovery_points SET
			owned_blocks = (SELECT count(object_id) FROM block_map WHERE rp_id = @id),
			logical_bytes = (SELECT coalesce(sum(o.raw_length), 0) FROM block_map b JOIN objects o ON o.id = b.object_id WHERE b.rp_id = @id),
			stored_bytes = (SELECT coalesce(sum(stored_length), 0) FROM objects WHERE charged_rp_id = @id)
		WHERE id = @id`,
	).run({id: rpId});
}

function toPoint(db: Database, row: PointRow): RecoveryPoint {
	const disks = db
		.prepare('SELECT d.name, r.size FROM rp_disks r JOIN disks d ON d.id = r.disk_id WHERE r.rp_id = ? ORDER BY d.id')
		.all(row.id) as Array<{name: string; size: number}>;
	return {
		id: row.id,
		itemId: row.item_id,
		item: row.item_name,
		kind: row.item_kind,
		type: row.type,
		trigger: row.trigger,
		baseId: row.base_id ?? undefined,
		createdAt: row.created_at,
		expiresAt: row.retain_until ?? undefined,
		retainUntil: row.retain_until ?? undefined,
		ownedBlocks: row.owned_blocks,
		changedBlocks: row.changed_blocks,
		logicalBytes: row.logical_bytes,
		storedBytes: row.stored_bytes,
		disks,
		meta: JSON.parse(row.meta) as Record<string, unknown>,
	};
}

const pointSelect = 'SELECT p.*, i.name AS item_name, i.kind AS item_kind FROM recovery_points p JOIN items i ON i.id = p.item_id';

/** An item's recovery points in creation order. */
export function listPoints(catalog: CatalogHandle, itemId: number): RecoveryPoint[] {
	const db = connectionOf(catalog);
	const rows = db.prepare(`${pointSelect} WHERE p.item_id = ? ORDER BY p.id`).all(itemId) as PointRow[];
	return rows.map(row => toPoint(db, row));
}

/** The point with this id, which must belong to the item. */
export function requirePoint(catalog: CatalogHandle, itemId: number, itemName: string, id: number): RecoveryPoint {
	const db = connectionOf(catalog);
	const row = db.prepare(`${pointSelect} WHERE p.id = ? AND p.item_id = ?`).get(id, itemId) as PointRow | undefined;
	if (!row) {
		throw new UserError('RP_NOT_FOUND', `item "${itemName}" has no recovery point ${formatRecoveryPointId(id)}`, {
			hint: `See \`strata points ${itemName}\` for its recovery points`,
		});
	}

	return toPoint(db, row);
}

/** The newest point of an item, or undefined. */
export function latestPoint(catalog: CatalogHandle, itemId: number): RecoveryPoint | undefined {
	const db = connectionOf(catalog);
	const row = db.prepare(`${pointSelect} WHERE p.item_id = ? ORDER BY p.id DESC LIMIT 1`).get(itemId) as PointRow | undefined;
	return row ? toPoint(db, row) : undefined;
}

/** The newest full of an item, or undefined. */
export function latestFull(catalog: CatalogHandle, itemId: number): RecoveryPoint | undefined {
	const db = connectionOf(catalog);
	const row = db.prepare(`${pointSelect} WHERE p.item_id = ? AND p.type = 'full' ORDER BY p.id DESC LIMIT 1`).get(itemId) as PointRow | undefined;
	return row ? toPoint(db, row) : undefined;
}

/** A point and its bases, nearest first, ending at the full. */
export function chainOf(catalog: CatalogHandle, rpId: number): number[] {
	const db = connectionOf(catalog);
	const chain: number[] = [];
	const base = db.prepare('SELECT base_id FROM recovery_points WHERE id = ?');
	for (let id: number | null = rpId; id !== null; ) {
		chain.push(id);
		const row = base.get(id) as {base_id: number | null} | undefined;
		id = row?.base_id ?? null;
	}

	return chain;
}

/** A disk as a point restores it: per block index, the object id (0 for no data) and, when asked, its hash. */
export type ResolvedDisk = {
	diskId: number;
	size: number;
	blockCount: number;
	objectIds: Float64Array;
	hashes: Uint8Array | undefined;
};

/** Blocks [from, from + count) of one disk of a point, resolved through its chain. */
export type ResolvedRange = {from: number; count: number; objectIds: Float64Array; hashes: Uint8Array | undefined};

type RangeQueries = {withHashes: Statement; ids: Statement};
const rangeQueryCache = new WeakMap<Database, RangeQueries>();

/** The range queries of a connection, prepared once: a backup resolves a range for every 64 MiB it reads. */
function rangeQueries(db: Database): RangeQueries {
	let queries = rangeQueryCache.get(db);
	if (!queries) {
		// Rows as arrays, not objects: a large disk has millions of entries.
		queries = {
			withHashes: db.prepare('SELECT b.block_index, b.object_id, o.hash FROM block_map b LEFT JOIN objects o ON o.id = b.object_id WHERE b.rp_id = ? AND b.disk_id = ? AND b.block_index >= ? AND b.block_index < ?').raw(),
			ids: db.prepare('SELECT block_index, object_id FROM block_map WHERE rp_id = ? AND disk_id = ? AND block_index >= ? AND block_index < ?').raw(),
		};
		rangeQueryCache.set(db, queries);
	}

	return queries;
}

/**
 * Resolves blocks [from, to) of a disk through a point's chain (the point first, then its bases): per block the
 * object id (0 for no data) and, with `withHashes`, its hash. One ordered range query per point of the chain.
 */
export function resolveBlockRange(catalog: CatalogHandle, chain: readonly number[], diskId: number, from: number, to: number, withHashes: boolean, reuse?: ResolvedRange): ResolvedRange {
	const db = connectionOf(catalog);
	const count = Math.max(0, to - from);
	// A reused range's arrays (as large or larger) are filled again: a backup resolves thousands of ranges, and arrays
	// that lived a while were promoted and freed only by full collections (measured: 10 MiB more at 4 GiB).
	const fits = reuse !== undefined && reuse.objectIds.length >= count && (!withHashes || (reuse.hashes?.length ?? 0) >= count * hashLength);
	const objectIds = fits ? reuse.objectIds.subarray(0, count).fill(0) : new Float64Array(count);
	const hashes = withHashes ? (fits ? reuse.hashes!.subarray(0, count * hashLength).fill(0) : new Uint8Array(count * hashLength)) : undefined;
	const seen = new Uint8Array(count);
	const query = rangeQueries(db)[withHashes ? 'withHashes' : 'ids'];
	let left = count;
	for (const rpId of chain) {
		if (left === 0) break;
		for (const [blockIndex, objectId, hash] of query.iterate(rpId, diskId, from, to) as Iterable<[number, number | null, Buffer | null | undefined]>) {
			const at = blockIndex - from;
			if (seen[at]) continue;
			seen[at] = 1;
			left--;
			objectIds[at] = objectId ?? 0;
			if (hashes && hash) hashes.set(hash, at * hashLength);
		}
	}

	return {from, count, objectIds, hashes};
}

/** Resolves every block of a point's disks through its chain. `withHashes` also fetches each object's hash. */
export function resolveBlockMap(catalog: CatalogHandle, rpId: number, blockSize: number, options: {withHashes?: boolean; diskId?: number} = {}): Map<number, ResolvedDisk> {
	const db = connectionOf(catalog);
	const disks = db.prepare('SELECT disk_id AS diskId, size FROM rp_disks WHERE rp_id = ?').all(rpId) as Array<{diskId: number; size: number}>;
	const chain = chainOf(db, rpId);
	const resolved = new Map<number, ResolvedDisk>();
	for (const disk of disks) {
		if (options.diskId !== undefined && disk.diskId !== options.diskId) continue;
		const blockCount = Math.ceil(disk.size / blockSize);
		const range = resolveBlockRange(db, chain, disk.diskId, 0, blockCount, options.withHashes ?? false);
		resolved.set(disk.diskId, {...disk, blockCount, objectIds: range.objectIds, hashes: range.hashes});
	}

	return resolved;
}

/**
 * A disk of a point as a backup compares against it, resolved a window of blocks at a time as the backup advances
 * (it asks in order, a few batches ahead): the memory of an incremental stays the same at any disk size, where the
 * whole resolved map took 41 bytes a block. `blank` names objects whose hashes are left out (zero): objects marked
 * damaged, so that the blocks holding them count as new and are stored again.
 */
const idsPerScan = 4096;
const zeroIds = new Uint8Array(idsPerScan * Float64Array.BYTES_PER_ELEMENT);

export class BlockMapReader {
	/** 4096 blocks (64 MiB of 16 KiB blocks): 168 KiB resolved with hashes. */
	static readonly windowBlocks = 4096;
	readonly blockCount: number;
	/** The two windows last used: the batch being read and the one being recorded may straddle a boundary. */
	private windows: ResolvedRange[] = [];

	constructor(
		private readonly catalog: CatalogHandle,
		private readonly chain: readonly number[],
		readonly diskId: number,
		readonly size: number,
		blockSize: number,
		readonly withHashes: boolean,
		private readonly blank?: (objectId: number) => boolean,
		private readonly windowBlocks = BlockMapReader.windowBlocks,
	) {
		this.blockCount = Math.ceil(size / blockSize);
	}

	/** The object of a block (0 for no data, or past the disk's end). */
	objectId(index: number): number {
		if (index >= this.blockCount) return 0;
		const window = this.window(index);
		return window.objectIds[index - window.from]!;
	}

	/** The hash of a block's object (zero for no data or a blanked object); undefined past the end or without hashes. */
	hashAt(index: number): Uint8Array | undefined {
		if (!this.withHashes || index >= this.blockCount) return undefined;
		const window = this.window(index);
		const at = (index - window.from) * hashLength;
		return window.hashes!.subarray(at, at + hashLength);
	}

	/** Copies the hashes of blocks [from, from + count) into `target` (zero past the disk's end). */
	copyHashes(target: Uint8Array, from: number, count: number): void {
		for (let index = from; index < Math.min(from + count, this.blockCount); ) {
			const window = this.window(index);
			const end = Math.min(from + count, window.from + window.count);
			target.set(window.hashes!.subarray((index - window.from) * hashLength, (end - window.from) * hashLength), (index - from) * hashLength);
			index = end;
		}
	}

	/**
	 * Calls `visit` for each block in [from, to) that has data, a window at a time, skipping runs without data with a
	 * memcmp: a 1 TiB file's holes span 67 million blocks, most of them without data in the base too, and a JavaScript
	 * loop over each costs several times the memcmp (measured by the holes commit). `visit` must not read this reader.
	 */
	forEachStored(from: number, to: number, visit: (index: number) => void): void {
		const last = Math.min(to, this.blockCount);
		for (let index = from; index < last; ) {
			const window = this.window(index);
			const end = Math.min(last, window.from + window.count);
			const ids = window.objectIds;
			const bytes = new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
			for (let start = index; start < end; start += idsPerScan) {
				const stop = Math.min(end, start + idsPerScan);
				const view = bytes.subarray((start - window.from) * Float64Array.BYTES_PER_ELEMENT, (stop - window.from) * Float64Array.BYTES_PER_ELEMENT);
				if (Buffer.compare(view, zeroIds.subarray(0, view.length)) === 0) continue;
				for (let block = start; block < stop; block++) if (ids[block - window.from] !== 0) visit(block);
			}

			index = end;
		}
	}

	private window(index: number): ResolvedRange {
		const [last, other] = this.windows;
		if (last && index >= last.from && index < last.from + last.count) return last;
		if (other && index >= other.from && index < other.from + other.count) {
			this.windows = [other, last!];
			return other;
		}

		const from = index - (index % this.windowBlocks);
		// The window used less lately is refilled (when there are two), not left to the garbage collector.
		const window = resolveBlockRange(this.catalog, this.chain, this.diskId, from, Math.min(this.blockCount, from + this.windowBlocks), this.withHashes, other);
		if (this.blank && window.hashes) {
			for (let at = 0; at < window.count; at++) {
				if (window.objectIds[at] !== 0 && this.blank(window.objectIds[at]!)) window.hashes.fill(0, at * hashLength, (at + 1) * hashLength);
			}
		}

		this.windows = last ? [window, last] : [window];
		return window;
	}
}

/** Readers of a point's disks, by disk id, resolving its block map window by window (see BlockMapReader). */
export function blockMapReaders(catalog: CatalogHandle, rpId: number, blockSize: number, options: {withHashes: boolean; blank?: (objectId: number) => boolean; windowBlocks?: number}): Map<number, BlockMapReader> {
	const db = connectionOf(catalog);
	const disks = db.prepare('SELECT disk_id AS diskId, size FROM rp_disks WHERE rp_id = ?').all(rpId) as Array<{diskId: number; size: number}>;
	const chain = chainOf(db, rpId);
	return new Map(disks.map(disk => [disk.diskId, new BlockMapReader(catalog, chain, disk.diskId, disk.size, blockSize, options.withHashes, options.blank, options.windowBlocks)]));
}
