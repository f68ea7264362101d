/** Which recovery points need which objects: the points a check covers, and those that need any of a set of objects. */
import {type CatalogHandle, connectionOf} from './connection.js';
import {resolveBlockMap} from './points.js';
import {recipeObjectIds} from './recipes.js';

/** Every point (of one item, or all) with what checking its data needs: its item's name and block size. */
export function pointsToCheck(catalog: CatalogHandle, itemId: number | undefined): Array<{id: number; item: string; itemId: number; kind: string; blockSize: number}> {
	const db = connectionOf(catalog);
	const scope = itemId === undefined ? '' : 'WHERE p.item_id = ?';
	return db
		.prepare(`SELECT p.id, i.name AS item, i.id AS itemId, i.kind, i.block_size AS blockSize FROM recovery_points p JOIN items i ON i.id = p.item_id ${scope} ORDER BY p.id`)
		.all(...(itemId === undefined ? [] : [itemId])) as Array<{id: number; item: string; itemId: number; kind: string; blockSize: number}>;
}

/** The points (of those given) that need any of these objects, resolved through their chains. */
export function pointsNeeding(catalog: CatalogHandle, points: ReadonlyArray<{id: number; item: string; blockSize: number}>, objectIds: ReadonlySet<number>): Array<{item: string; id: number}> {
	const db = connectionOf(catalog);
	if (objectIds.size === 0) return [];
	return points
		.filter(point => {
			const maps = resolveBlockMap(db, point.id, point.blockSize);
			return [...maps.values()].some(map => map.objectIds.some(id => objectIds.has(id))) || recipeObjectIds(db, point.id).some(id => objectIds.has(id));
		})
		.map(point => ({item: point.item, id: point.id}));
}
