/**
 * The catalog's side of records (store/manifest.ts): what a point's manifest and the repository's state say, read
 * from the catalog inside the transaction that changes them; the sequence counter; and which objects are the current
 * records (table `records`: a point's head and parts, the state under rp_id 0, tombstones of deleted points), which gc
 * keeps and repacks with their kind.
 */
import {type CatalogHandle, connectionOf} from './connection.js';

/**
 * The seam through which records name objects: by hash. Today the hash is a column of `objects`; where it moves (a
 * pack's own index), only this join changes.
 */
const objectHash = 'LEFT JOIN objects o ON o.id';

/** Takes the next record sequence number (a repository-wide counter, in the caller's transaction). */
export function nextRecordSeq(catalog: CatalogHandle): number {
	const db = connectionOf(catalog);
	db.prepare("INSERT INTO meta (key, value) VALUES ('record-seq', '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1").run();
	return Number(db.prepare("SELECT value FROM meta WHERE key = 'record-seq'").pluck().get());
}

/** A disk of a point as its manifest records it. */
export type RecordedDisk = {diskId: number; size: number; changedBlocks: number; changedBytes: number; usedBytes: number | null};

/** A point as its manifest head records it (what a rebuild inserts again). */
export type RecordedPoint = {
	id: number;
	itemId: number;
	itemName: string;
	type: string;
	trigger: string;
	baseId: number | null;
	createdAt: string;
	retainUntil: string | null;
	changedBlocks: number;
	meta: string;
	disks: RecordedDisk[];
};

/** An item with its disks as the state record holds it. */
export type RecordedItem = {
	id: number;
	name: string;
	kind: string;
	blockSize: number;
	settings: string;
	createdAt: string;
	state: string;
	deletedAt: string | null;
	policyId: number | null;
	lastSlotAt: string | null;
	disks: Array<{id: number; name: string; path: string}>;
};

/** A policy as the state record holds it. */
export type RecordedPolicy = {
	id: number;
	name: string;
	schedule: string;
	timezone: string;
	retainDaily: number | null;
	retainWeekly: number | null;
	retainMonthly: number | null;
	retainYearly: number | null;
	createdAt: string;
};

export type ManifestPointRow = RecordedPoint & {hasRecipe: boolean};

/** A point as its manifest describes it, or undefined when it is gone. */
export function manifestPoint(catalog: CatalogHandle, rpId: number): ManifestPointRow | undefined {
	const db = connectionOf(catalog);
	const row = db
		.prepare(
			`SELECT p.id, p.item_id AS itemId, i.name AS itemName, p.type, p.trigger, p.base_id AS baseId, p.created_at AS createdAt,
			p.retain_until AS retainUntil, p.changed_blocks AS changedBlocks, p.meta FROM recovery_points p JOIN items i ON i.id = p.item_id WHERE p.id = ?`,
		)
		.get(rpId) as Omit<ManifestPointRow, 'disks' | 'hasRecipe'> | undefined;
	if (!row) return undefined;
	const disks = db
		.prepare('SELECT disk_id AS diskId, size, changed_blocks AS changedBlocks, changed_bytes AS changedBytes, used_bytes AS usedBytes FROM rp_disks WHERE rp_id = ? ORDER BY disk_id')
		.all(rpId) as ManifestPointRow['disks'];
	const hasRecipe = db.prepare('SELECT 1 FROM recipes WHERE rp_id = ? LIMIT 1').get(rpId) !== undefined;
	return {...row, disks, hasRecipe};
}

/**
 * A page of a point's own block-map entries after (disk, block): [disk, block, hash as hex or null, charged to the
 * point], row by row, for the caller to encode as they come: rows gathered into a page (and their hashes as Buffers,
 * each an allocation of its own) outlived V8's young generation, and a 4 GiB full's commit peaked ~60-110 MiB higher.
 */
export function blockEntryPage(catalog: CatalogHandle, rpId: number, after: {diskId: number; blockIndex: number}, limit: number): IterableIterator<[number, number, string | null, number]> {
	return connectionOf(catalog)
		.prepare(
			`SELECT b.disk_id, b.block_index, hex(o.hash), coalesce(o.charged_rp_id = b.rp_id, 0) FROM block_map b ${objectHash} = b.object_id
			WHERE b.rp_id = @rp AND (b.disk_id, b.block_index) > (@disk, @block) ORDER BY b.disk_id, b.block_index LIMIT @limit`,
		)
		.raw()
		.iterate({rp: rpId, disk: after.diskId, block: after.blockIndex, limit}) as IterableIterator<[number, number, string | null, number]>;
}

/** A page of a point's recipe from step `from`: [seq, hash as hex, charged to the point], row by row (see blockEntryPage). */
export function recipePage(catalog: CatalogHandle, rpId: number, from: number, limit: number): IterableIterator<[number, string | null, number]> {
	return connectionOf(catalog)
		.prepare(`SELECT r.seq, hex(o.hash), coalesce(o.charged_rp_id = r.rp_id, 0) FROM recipes r ${objectHash} = r.object_id WHERE r.rp_id = ? AND r.seq >= ? ORDER BY r.seq LIMIT ?`)
		.raw()
		.iterate(rpId, from, limit) as IterableIterator<[number, string | null, number]>;
}

export type StateRows = {items: RecordedItem[]; policies: RecordedPolicy[]; settings: Record<string, string>};

/** Settings kept in the meta table that are the repository's (the rest there is the catalog's own bookkeeping). */
const bookkeeping = new Set(['commits', 'record-seq']);

/** Items with their disks, policies and settings, as the state record holds them. */
export function stateRows(catalog: CatalogHandle): StateRows {
	const db = connectionOf(catalog);
	const disks = db.prepare('SELECT id, name, path FROM disks WHERE item_id = ? ORDER BY id');
	const items = (
		db
			.prepare(
				`SELECT id, name, kind, block_size AS blockSize, settings, created_at AS createdAt, state, deleted_at AS deletedAt,
				policy_id AS policyId, last_slot_at AS lastSlotAt FROM items ORDER BY id`,
			)
			.all() as Array<Omit<StateRows['items'][number], 'disks'>>
	).map(item => ({...item, disks: disks.all(item.id) as StateRows['items'][number]['disks']}));
	const policies = db
		.prepare(
			`SELECT id, name, schedule, timezone, retain_daily AS retainDaily, retain_weekly AS retainWeekly, retain_monthly AS retainMonthly,
			retain_yearly AS retainYearly, created_at AS createdAt FROM policies ORDER BY id`,
		)
		.all() as StateRows['policies'];
	const settings: Record<string, string> = {};
	for (const row of db.prepare('SELECT key, value FROM meta ORDER BY key').all() as Array<{key: string; value: string}>) {
		if (!bookkeeping.has(row.key)) settings[row.key] = row.value;
	}

	return {items, policies, settings};
}

/** The id of a current record object with this hash (records are deduplicated among themselves only). */
export function recordObjectId(catalog: CatalogHandle, hash: Buffer): number | undefined {
	return connectionOf(catalog).prepare('SELECT o.id FROM objects o WHERE o.hash = ? AND EXISTS (SELECT 1 FROM records r WHERE r.object_id = o.id)').pluck().get(hash) as number | undefined;
}

export type NewRecordObject = {hash: Buffer; offset: number; storedLength: number; rawLength: number; codec: number};

/** Names a pack of records and its objects (charged to no point); returns the objects' ids in order. */
export function insertRecordPack(catalog: CatalogHandle, pack: {name: string; size: number}, objects: readonly NewRecordObject[], at: string): number[] {
	const db = connectionOf(catalog);
	const packId = Number(db.prepare('INSERT INTO packs (name, size, created_at) VALUES (?, ?, ?)').run(pack.name, pack.size, at).lastInsertRowid);
	// An object with this hash already there (data that happens to match, or a record gc has not deleted yet) is reused.
	const existing = db.prepare('SELECT id FROM objects WHERE hash = ?').pluck();
	const insert = db.prepare('INSERT INTO objects (hash, pack_id, offset, stored_length, raw_length, codec, charged_rp_id) VALUES (?, ?, ?, ?, ?, ?, NULL)');
	return objects.map(object => (existing.get(object.hash) as number | undefined) ?? Number(insert.run(object.hash, packId, object.offset, object.storedLength, object.rawLength, object.codec).lastInsertRowid));
}

/**
 * Makes `objectIds` the current records of `rpId` (0: the state), replacing the ones before. A record no longer
 * current anywhere loses its object row at once (its bytes are dead space in its pack until gc repacks or deletes
 * it), so gc's deleted objects stay the data nothing references.
 */
export function setRecords(catalog: CatalogHandle, rpId: number, objectIds: readonly number[], kind: number): void {
	const db = connectionOf(catalog);
	const before = db.prepare('SELECT object_id FROM records WHERE rp_id = ?').pluck().all(rpId) as number[];
	db.prepare('DELETE FROM records WHERE rp_id = ?').run(rpId);
	const insert = db.prepare('INSERT OR IGNORE INTO records (rp_id, object_id, kind) VALUES (?, ?, ?)');
	for (const id of objectIds) insert.run(rpId, id, kind);
	const forget = db.prepare(
		`DELETE FROM objects WHERE id = @id AND NOT EXISTS (SELECT 1 FROM records WHERE object_id = @id)
		AND NOT EXISTS (SELECT 1 FROM block_map WHERE object_id = @id) AND NOT EXISTS (SELECT 1 FROM recipes WHERE object_id = @id)`,
	);
	for (const id of before) forget.run({id});
}

/** Drops the object rows of records that are current nowhere (superseded ones a rebuild found in the packs). */
export function forgetStaleRecords(catalog: CatalogHandle, hashes: readonly Buffer[]): void {
	const db = connectionOf(catalog);
	const forget = db.prepare(
		`DELETE FROM objects WHERE hash = @hash AND NOT EXISTS (SELECT 1 FROM records r WHERE r.object_id = objects.id)
		AND NOT EXISTS (SELECT 1 FROM block_map b WHERE b.object_id = objects.id) AND NOT EXISTS (SELECT 1 FROM recipes p WHERE p.object_id = objects.id)`,
	);
	for (const hash of hashes) forget.run({hash});
}

/** The kind (store/format.ts ObjectKind) of each record object of a pack: gc's repack keeps it. */
export function recordKindsInPack(catalog: CatalogHandle, packId: number): Map<number, number> {
	const rows = connectionOf(catalog)
		.prepare('SELECT DISTINCT r.object_id, r.kind FROM records r JOIN objects o ON o.id = r.object_id WHERE o.pack_id = ?')
		.raw()
		.all(packId) as Array<[number, number]>;
	return new Map(rows);
}

/** Every pack the catalog names. */
export function catalogPacks(catalog: CatalogHandle): Array<{id: number; name: string}> {
	return connectionOf(catalog).prepare('SELECT id, name FROM packs ORDER BY name').all() as Array<{id: number; name: string}>;
}

/** Every point's id, oldest first. */
export function allPointIds(catalog: CatalogHandle): number[] {
	return connectionOf(catalog).prepare('SELECT id FROM recovery_points ORDER BY id').pluck().all() as number[];
}

/** The packs holding records alone (no object outside `records`): gc repacks them like any, but counts them apart. */
export function recordOnlyPacks(catalog: CatalogHandle): Set<number> {
	const ids = connectionOf(catalog)
		.prepare('SELECT p.id FROM packs p WHERE EXISTS (SELECT 1 FROM objects o WHERE o.pack_id = p.id) AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.pack_id = p.id AND NOT EXISTS (SELECT 1 FROM records r WHERE r.object_id = o.id))')
		.pluck()
		.all() as number[];
	return new Set(ids);
}
