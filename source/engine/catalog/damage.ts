/**
 * Damage marks: objects that verify or a restore found damaged. A marked object is never deduplicated against; the
 * next backup (or `strata repair`) that meets its content again stores a fresh copy, and the object's row is
 * repointed at it in that job's commit, so every point that referenced it heals at once. The mark then records
 * `repaired_at` until verify has reported the repair.
 */
import {type CatalogHandle, connectionOf} from './connection.js';
import type {WrittenObject} from '../model/index.js';

export type Damage = {objectId: number; problem: string};

/** A fresh copy of a marked object, written by this job: `pack` indexes the job's own packs. */
export type Repair = WrittenObject & {objectId: number};

export type MarkedObject = {id: number; hash: Buffer; problem: string};

/** Marks objects damaged (again, if a repair of them had not been reported yet). Unknown ids are skipped. */
export function markDamaged(catalog: CatalogHandle, damage: readonly Damage[], at: string): void {
	const db = connectionOf(catalog);
	const mark = db.prepare(
		`INSERT INTO damaged_objects (object_id, problem, found_at) SELECT id, @problem, @at FROM objects WHERE id = @id
		ON CONFLICT (object_id) DO UPDATE SET problem = excluded.problem,
			found_at = CASE WHEN repaired_at IS NULL THEN found_at ELSE excluded.found_at END, repaired_at = NULL`,
	);
	db.transaction(() => {
		for (const {objectId, problem} of damage) mark.run({id: objectId, problem, at});
	})();
}

/** Marks the object with this hash; with `wholePack`, every object of its pack (a pack that is gone holds none). */
export function markDamagedByHash(catalog: CatalogHandle, hash: Buffer, problem: string, wholePack: boolean, at: string): void {
	const db = connectionOf(catalog);
	const ids = wholePack
		? (db.prepare('SELECT o.id FROM objects o WHERE o.pack_id = (SELECT pack_id FROM objects WHERE hash = ?)').pluck().all(hash) as number[])
		: (db.prepare('SELECT id FROM objects WHERE hash = ?').pluck().all(hash) as number[]);
	markDamaged(db, ids.map(objectId => ({objectId, problem})), at);
}

/** Objects marked damaged and not repaired. */
export function markedObjects(catalog: CatalogHandle): MarkedObject[] {
	const db = connectionOf(catalog);
	return db
		.prepare('SELECT o.id, o.hash, d.problem FROM damaged_objects d JOIN objects o ON o.id = d.object_id WHERE d.repaired_at IS NULL ORDER BY o.id')
		.all() as MarkedObject[];
}

/** Objects repaired since verify last reported them. */
export function repairedObjectIds(catalog: CatalogHandle): number[] {
	const db = connectionOf(catalog);
	return db.prepare('SELECT object_id FROM damaged_objects WHERE repaired_at IS NOT NULL').pluck().all() as number[];
}

/** Records that marked objects are whole again (verify found them intact): the repair is reported once, then forgotten. */
export function clearMarks(catalog: CatalogHandle, ids: readonly number[], at: string): void {
	const db = connectionOf(catalog);
	const clear = db.prepare('UPDATE damaged_objects SET repaired_at = ? WHERE object_id = ?');
	db.transaction(() => {
		for (const id of ids) clear.run(at, id);
	})();
}

/** Forgets repairs that verify has reported. */
export function forgetRepairs(catalog: CatalogHandle, ids: readonly number[]): void {
	const db = connectionOf(catalog);
	const forget = db.prepare('DELETE FROM damaged_objects WHERE object_id = ? AND repaired_at IS NOT NULL');
	db.transaction(() => {
		for (const id of ids) forget.run(id);
	})();
}

/**
 * Repoints marked objects at their fresh copies; call inside the transaction that names the new packs (`packIds`
 * maps the job's pack indexes to catalog ids). An object no longer marked (another job healed it first) keeps its
 * row: the copy is then garbage that gc reclaims. Returns the points charged for the repaired objects, whose stored
 * bytes the caller refreshes (the object stays charged to the point that owns it).
 */
export function applyRepairs(catalog: CatalogHandle, packIds: readonly number[], repairs: readonly Repair[], at: string): number[] {
	const db = connectionOf(catalog);
	const repoint = db.prepare(
		`UPDATE objects SET pack_id = @pack, offset = @offset, stored_length = @storedLength, raw_length = @rawLength, codec = @codec
		WHERE id = @id AND EXISTS (SELECT 1 FROM damaged_objects WHERE object_id = @id AND repaired_at IS NULL)`,
	);
	const heal = db.prepare('UPDATE damaged_objects SET repaired_at = ? WHERE object_id = ?');
	const charged = db.prepare('SELECT charged_rp_id FROM objects WHERE id = ?').pluck();
	const points = new Set<number>();
	for (const repair of repairs) {
		const {changes} = repoint.run({id: repair.objectId, pack: packIds[repair.pack], offset: repair.offset, storedLength: repair.storedLength, rawLength: repair.rawLength, codec: repair.codec});
		if (changes === 0) continue;
		heal.run(at, repair.objectId);
		const rpId = charged.get(repair.objectId) as number | null;
		if (rpId !== null) points.add(rpId);
	}

	return [...points];
}

/** Where a volume item's points reference marked objects: per disk, the block indexes and the object each needs. */
export function damagedBlocks(catalog: CatalogHandle, itemId: number): Array<{diskId: number; blockIndex: number; objectId: number}> {
	const db = connectionOf(catalog);
	return db
		.prepare(
			`SELECT DISTINCT b.disk_id AS diskId, b.block_index AS blockIndex, b.object_id AS objectId FROM block_map b
			JOIN recovery_points p ON p.id = b.rp_id JOIN damaged_objects d ON d.object_id = b.object_id
			WHERE p.item_id = ? AND d.repaired_at IS NULL ORDER BY b.disk_id, b.block_index`,
		)
		.all(itemId) as Array<{diskId: number; blockIndex: number; objectId: number}>;
}

/** The marked objects in a stream item's recipes. */
export function damagedChunks(catalog: CatalogHandle, itemId: number): number[] {
	const db = connectionOf(catalog);
	return db
		.prepare(
			`SELECT DISTINCT r.object_id FROM recipes r JOIN recovery_points p ON p.id = r.rp_id
			JOIN damaged_objects d ON d.object_id = r.object_id WHERE p.item_id = ? AND d.repaired_at IS NULL`,
		)
		.pluck()
		.all(itemId) as number[];
}
