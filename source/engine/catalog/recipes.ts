/**
 * Recipes of stream points (PostgreSQL dumps): per point, the ordered object ids that reassemble its dump. Every
 * point has its complete recipe, so a restore never walks a chain; rows are written by commitRecoveryPoint.
 */
import {type CatalogHandle, connectionOf} from './connection.js';

/** A point's chunks in dump order (ids repeat where the dump repeats a chunk); empty for a volume point. */
export function recipeObjectIds(catalog: CatalogHandle, rpId: number): number[] {
	const db = connectionOf(catalog);
	return db.prepare('SELECT object_id FROM recipes WHERE rp_id = ? ORDER BY seq').pluck().all(rpId) as number[];
}

/** The distinct chunks of a point, by hash (hex) to object id: what the next backup of the item most likely finds again. */
export function recipeChunkIndex(catalog: CatalogHandle, rpId: number): Map<string, number> {
	const db = connectionOf(catalog);
	const rows = db
		.prepare('SELECT DISTINCT o.id, o.hash FROM recipes r JOIN objects o ON o.id = r.object_id WHERE r.rp_id = ?')
		.raw()
		.all(rpId) as Array<[number, Buffer]>;
	return new Map(rows.map(([id, hash]) => [hash.toString('hex'), id]));
}
