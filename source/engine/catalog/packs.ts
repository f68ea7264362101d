/** Typed catalog queries for pack rows: which pack files the catalog names, how full they are, adding and dropping them. */
import {type CatalogHandle, connectionOf} from './connection.js';

/** A pack with the bytes its live objects take in it (headers included) and how many there are. */
export type PackUse = {id: number; name: string; size: number; live: number; objects: number};

/** The names of every pack the catalog holds. */
export function packNames(catalog: CatalogHandle): Set<string> {
	return new Set(connectionOf(catalog).prepare('SELECT name FROM packs').pluck().all() as string[]);
}

/** The ids of every pack the catalog holds. */
export function packIds(catalog: CatalogHandle): Set<number> {
	return new Set(connectionOf(catalog).prepare('SELECT id FROM packs').pluck().all() as number[]);
}

/** Every pack with its live bytes (each object counted with its `headerLength`-byte header) and object count. */
export function packUses(catalog: CatalogHandle, headerLength: number): PackUse[] {
	return connectionOf(catalog)
		.prepare(
			`SELECT p.id, p.name, p.size, coalesce(sum(o.stored_length + @headerLength), 0) AS live, count(o.id) AS objects
			FROM packs p LEFT JOIN objects o ON o.pack_id = p.id GROUP BY p.id`,
		)
		.all({headerLength}) as PackUse[];
}

/** Records new packs; returns their ids, in the order given. */
export function insertPacks(catalog: CatalogHandle, packs: ReadonlyArray<{name: string; size: number}>, at: string): number[] {
	const insert = connectionOf(catalog).prepare('INSERT INTO packs (name, size, created_at) VALUES (?, ?, ?)');
	return packs.map(pack => Number(insert.run(pack.name, pack.size, at).lastInsertRowid));
}

/** Drops pack rows. */
export function deletePacks(catalog: CatalogHandle, ids: readonly number[]): void {
	const remove = connectionOf(catalog).prepare('DELETE FROM packs WHERE id = ?');
	for (const id of ids) remove.run(id);
}

/** Drops the rows of those packs no object lives in any more; returns the names of the ones dropped. */
export function deleteEmptiedPacks(catalog: CatalogHandle, packs: ReadonlyArray<{id: number; name: string}>): string[] {
	const remove = connectionOf(catalog).prepare('DELETE FROM packs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM objects WHERE pack_id = ?)');
	return packs.filter(pack => remove.run(pack.id, pack.id).changes > 0).map(pack => pack.name);
}
