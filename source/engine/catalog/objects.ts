/** Catalog queries for stored objects: dedup look-ups and where an object lives. */
import type {Database, Statement} from 'better-sqlite3';
import {type CatalogHandle, connectionOf} from './connection.js';
import {RuntimeError} from '../errors.js';
import {formatRecoveryPointId, type StoredObject} from '../model/index.js';
import {stagingSchema} from './staging.js';

export type {StoredObject} from '../model/index.js';

/** Well under SQLite's limit on bound parameters. */
const maxIdsPerQuery = 500;

const selectObject = 'SELECT o.id, o.hash, p.name AS packName, o.offset, o.stored_length AS storedLength, o.raw_length AS rawLength, o.codec FROM objects o JOIN packs p ON p.id = o.pack_id';

/** Prepared look-ups, made once per job. */
export class ObjectIndex {
	private readonly byHash: Statement;
	private readonly byId: Statement;
	private readonly byIds = new Map<number, Statement>();

	private readonly db: Database;

	constructor(catalog: CatalogHandle) {
		const db = connectionOf(catalog);
		this.db = db;
		this.byHash = db.prepare('SELECT id FROM objects WHERE hash = ?').pluck();
		this.byId = db.prepare(`${selectObject} WHERE o.id = ?`);
	}

	/** The id of the object with this hash, if the repository has it. */
	idOf(hash: Buffer): number | undefined {
		return this.byHash.get(hash) as number | undefined;
	}

	/** Where an object lives. */
	get(id: number): StoredObject | undefined {
		return this.byId.get(id) as StoredObject | undefined;
	}

	/** Where each of many objects lives, in one query per call (a restore asks for a batch at a time); missing ids are absent. */
	getMany(ids: readonly number[]): Map<number, StoredObject> {
		const found = new Map<number, StoredObject>();
		for (let from = 0; from < ids.length; from += maxIdsPerQuery) {
			const part = ids.slice(from, from + maxIdsPerQuery);
			let statement = this.byIds.get(part.length);
			if (!statement) {
				statement = this.db.prepare(`${selectObject} WHERE o.id IN (${part.map(() => '?').join(',')})`);
				this.byIds.set(part.length, statement);
			}

			for (const row of statement.all(...part) as StoredObject[]) found.set(row.id, row);
		}

		return found;
	}

	/** Where each object a point needs lives, in the order given (ids may repeat); fails naming the first one missing. */
	locate(ids: readonly number[], rpId: number): StoredObject[] {
		return locateAll(idsToFind => this.getMany(idsToFind), ids, rpId);
	}
}

/**
 * Where each object a point needs is, in the order given (ids may repeat), from a look-up that leaves out what the
 * repository lacks; fails naming the first one missing: what every restore says of an object the catalog lost.
 */
export function locateAll<L>(locate: (ids: readonly number[]) => ReadonlyMap<number, L>, ids: readonly number[], rpId: number): L[] {
	const found = locate(ids);
	return ids.map(id => {
		const object = found.get(id);
		if (object === undefined) throw new RuntimeError('OBJECT_MISSING', `object ${id} needed by ${formatRecoveryPointId(rpId)} is not in the catalog`, {hint: 'Run `strata verify` to see the damage'});
		return object;
	});
}

/** The id the next new object gets: call inside the (immediate) transaction that inserts it. */
export function nextObjectId(catalog: CatalogHandle): number {
	return connectionOf(catalog).prepare('SELECT coalesce(max(id), 0) + 1 FROM objects').pluck().get() as number;
}

/**
 * Inserts the objects a backup wrote, charged to its point: the one place new objects enter the catalog. They come
 * from the backup's staging file (catalog/staging.ts), attached as `staged`: the k-th staged object gets the id
 * `firstId + k`, and its pack (the index of the pack in the backup's own list) the pack row `firstPackId + pack`.
 */
export function insertStagedObjects(catalog: CatalogHandle, at: {firstId: number; firstPackId: number; rpId: number}): void {
	connectionOf(catalog)
		.prepare(
			`INSERT INTO objects (id, hash, pack_id, offset, stored_length, raw_length, codec, charged_rp_id)
			SELECT @firstId + seq, hash, @firstPackId + pack, offset, stored_length, raw_length, codec, @rpId FROM ${stagingSchema}.objects ORDER BY seq`,
		)
		.run(at);
}

/** Stored bytes of objects charged to no point: garbage until gc deletes them (current records, manifests and state, are not). */
export function unchargedBytes(catalog: CatalogHandle): number {
	return connectionOf(catalog)
		.prepare('SELECT coalesce(sum(stored_length), 0) FROM objects o WHERE charged_rp_id IS NULL AND NOT EXISTS (SELECT 1 FROM records m WHERE m.object_id = o.id)')
		.pluck()
		.get() as number;
}

/** Stored bytes of objects charged to a point: what the points pay for. */
export function chargedBytes(catalog: CatalogHandle): number {
	return connectionOf(catalog).prepare('SELECT coalesce(sum(stored_length), 0) FROM objects WHERE charged_rp_id IS NOT NULL').pluck().get() as number;
}

/** Objects referenced by nothing: no block-map entry, no recipe row. */
export function unreferencedObjectIds(catalog: CatalogHandle): number[] {
	return connectionOf(catalog)
		.prepare(
			`SELECT o.id FROM objects o WHERE NOT EXISTS (SELECT 1 FROM block_map b WHERE b.object_id = o.id)
			AND NOT EXISTS (SELECT 1 FROM recipes r WHERE r.object_id = o.id)
			AND NOT EXISTS (SELECT 1 FROM records m WHERE m.object_id = o.id)`,
		)
		.pluck()
		.all() as number[];
}

/** Deletes object rows (their bytes stay in the packs until gc repacks or deletes them). */
export function deleteObjects(catalog: CatalogHandle, ids: readonly number[]): void {
	const remove = connectionOf(catalog).prepare('DELETE FROM objects WHERE id = ?');
	for (const id of ids) remove.run(id);
}

/** An object as a repack copies it. */
export type PackedObject = {id: number; hash: Buffer; offset: number; storedLength: number; rawLength: number; codec: number};

/** The objects of one pack, in the order they lie in it. */
export function objectsInPack(catalog: CatalogHandle, packId: number): PackedObject[] {
	return connectionOf(catalog)
		.prepare('SELECT id, hash, offset, stored_length AS storedLength, raw_length AS rawLength, codec FROM objects WHERE pack_id = ? ORDER BY offset')
		.all(packId) as PackedObject[];
}

/** Points objects at where a repack wrote them. */
export function moveObjects(catalog: CatalogHandle, moves: ReadonlyArray<{id: number; packId: number; offset: number}>): void {
	const move = connectionOf(catalog).prepare('UPDATE objects SET pack_id = ?, offset = ? WHERE id = ?');
	for (const entry of moves) move.run(entry.packId, entry.offset, entry.id);
}
