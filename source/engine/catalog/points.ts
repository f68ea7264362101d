/**
 * Recovery points in the catalog: the commit that makes one visible, listing, and resolving a point's block map
 * through its chain (its own entries, then its base's, down to the full).
 */
import type {Database} from 'better-sqlite3';
import {type CatalogHandle, connectionOf} from './connection.js';
import {UserError} from '../errors.js';
import {countCommit} from './commits.js';
import {clearPendingPacks} from './pending-packs.js';
import {RowInserter} from './row-inserter.js';
import {type BackupType, formatRecoveryPointId, hashLength, type ItemKind, type RecoveryPoint, type Trigger, type WrittenObjectList, type WrittenPack} from '../model/index.js';
import {applyRepairs, type Repair} from './damage.js';

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
 * backup wrote, or 0 for "no data" (a block that became zero or fell off a shrunk disk).
 */
export type ObjectRef = number;

export type DiskCapture = {
	diskId: number;
	size: number;
	changedBlocks: number;
	changedBytes: number;
	/** Bytes of non-zero blocks at capture. */
	usedBytes: number;
	indices: number[];
	refs: ObjectRef[];
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
	newObjects: WrittenObjectList;
	disks: DiskCapture[];
	/** For stream points (dumps): the ordered chunks, as object refs. */
	recipe?: ObjectRef[];
	/** Fresh copies of objects marked damaged: their rows are repointed in the same transaction. */
	repairs?: readonly Repair[];
};

/** Makes a recovery point visible: packs, objects, block map and aggregates in one transaction. Returns its id. */
export function commitRecoveryPoint(catalog: CatalogHandle, commit: PointCommit): number {
	const db = connectionOf(catalog);
	const run = db.transaction(() => {
		const {lastInsertRowid} = db
			.prepare('INSERT INTO recovery_points (item_id, type, trigger, base_id, created_at, retain_until, changed_blocks, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
			.run(commit.itemId, commit.type, commit.trigger, commit.baseId ?? null, commit.createdAt, commit.retainUntil ?? null, commit.changedBlocks, JSON.stringify(commit.meta));
		const rpId = Number(lastInsertRowid);
		const insertPack = db.prepare('INSERT INTO packs (name, size, created_at) VALUES (?, ?, ?)');
		const packIds = commit.packs.map(pack => Number(insertPack.run(pack.name, pack.size, commit.createdAt).lastInsertRowid));
		const healed = applyRepairs(db, packIds, commit.repairs ?? [], commit.createdAt);
		clearPendingPacks(db, commit.packs.map(pack => pack.name));
		countCommit(db);
		// New objects get ids counted on from the largest one: this transaction is the only writer (immediate), and rows
		// go in many per statement, which a backup of millions of blocks needs (one statement per row took 4 us each).
		const firstId = (db.prepare('SELECT coalesce(max(id), 0) + 1 FROM objects').pluck().get() as number);
		const objectRows = new RowInserter(db, 'objects (id, hash, pack_id, offset, stored_length, raw_length, codec, charged_rp_id)', 8);
		for (let row = 0; row < commit.newObjects.length; row++) {
			const object = commit.newObjects.at(row);
			objectRows.add(firstId + row, object.hash, packIds[object.pack], object.offset, object.storedLength, object.rawLength, object.codec, rpId);
		}

		objectRows.finish();
		const entryRows = new RowInserter(db, 'block_map (rp_id, disk_id, block_index, object_id)', 4);
		const insertDisk = db.prepare('INSERT INTO rp_disks (rp_id, disk_id, size, changed_blocks, changed_bytes, used_bytes) VALUES (?, ?, ?, ?, ?, ?)');
		for (const disk of commit.disks) {
			insertDisk.run(rpId, disk.diskId, disk.size, disk.changedBlocks, disk.changedBytes, disk.usedBytes);
			for (let index = 0; index < disk.indices.length; index++) {
				const ref = disk.refs[index]!;
				entryRows.add(rpId, disk.diskId, disk.indices[index], ref > 0 ? ref : ref < 0 ? firstId - ref - 1 : null);
			}
		}

		entryRows.finish();

		if (commit.recipe) {
			const steps = new RowInserter(db, 'recipes (rp_id, seq, object_id)', 3);
			commit.recipe.forEach((ref, seq) => steps.add(rpId, seq, ref > 0 ? ref : firstId - ref - 1));
			steps.finish();
		}

		refreshPointAggregates(db, rpId);
		for (const healedRp of healed) if (healedRp !== rpId) refreshPointAggregates(db, healedRp);
		return rpId;
	});
	return run.immediate();
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

/** Resolves every block of a point's disks through its chain. `withHashes` also fetches each object's hash. */
export function resolveBlockMap(catalog: CatalogHandle, rpId: number, blockSize: number, options: {withHashes?: boolean; diskId?: number} = {}): Map<number, ResolvedDisk> {
	const db = connectionOf(catalog);
	const disks = db.prepare('SELECT disk_id AS diskId, size FROM rp_disks WHERE rp_id = ?').all(rpId) as Array<{diskId: number; size: number}>;
	const resolved = new Map<number, ResolvedDisk & {seen: Uint8Array}>();
	for (const disk of disks) {
		if (options.diskId !== undefined && disk.diskId !== options.diskId) continue;
		const blockCount = Math.ceil(disk.size / blockSize);
		resolved.set(disk.diskId, {
			...disk,
			blockCount,
			objectIds: new Float64Array(blockCount),
			hashes: options.withHashes ? new Uint8Array(blockCount * hashLength) : undefined,
			seen: new Uint8Array(blockCount),
		});
	}

	// Rows as arrays, not objects: a large disk has millions of entries, and this runs before every backup.
	const query = (
		options.withHashes
			? db.prepare('SELECT b.disk_id, b.block_index, b.object_id, o.hash FROM block_map b LEFT JOIN objects o ON o.id = b.object_id WHERE b.rp_id = ?')
			: db.prepare('SELECT disk_id, block_index, object_id FROM block_map WHERE rp_id = ?')
	).raw();
	for (const chainId of chainOf(db, rpId)) {
		for (const [diskId, blockIndex, objectId, hash] of query.iterate(chainId) as Iterable<[number, number, number | null, Buffer | null | undefined]>) {
			const disk = resolved.get(diskId);
			if (!disk || blockIndex >= disk.blockCount || disk.seen[blockIndex]) continue;
			disk.seen[blockIndex] = 1;
			disk.objectIds[blockIndex] = objectId ?? 0;
			if (disk.hashes && hash) disk.hashes.set(hash, blockIndex * hashLength);
		}
	}

	return new Map([...resolved].map(([id, {seen: _seen, ...disk}]) => [id, disk]));
}
