/** Typed catalog queries for items and their disks. */
import {basename} from 'node:path';
import type {Database} from 'better-sqlite3';
import {type CatalogHandle, connectionOf} from './connection.js';
import {RuntimeError, UserError} from '../errors.js';
import {type Disk, type Item, type ItemKind, type ItemState, maxNameLength, type PostgresSettings} from '../model/index.js';

type ItemRow = {
	id: number;
	name: string;
	kind: ItemKind;
	block_size: number;
	settings: string;
	created_at: string;
	state: ItemState;
	policy_name: string | null;
	deleted_at: string | null;
	last_slot_at: string | null;
};

type ItemSettings = {
	postgres?: PostgresSettings;
	freezeCmd?: string;
	thawCmd?: string;
	allowLive?: boolean;
};

export type NewItem = {
	name: string;
	kind: ItemKind;
	blockSize: number;
	createdAt: string;
	disks?: Array<{name: string; path: string}>;
	postgres?: PostgresSettings;
	freezeCmd?: string;
	thawCmd?: string;
	allowLive?: boolean;
};

const itemSelect = 'SELECT i.*, p.name AS policy_name FROM items i LEFT JOIN policies p ON p.id = i.policy_id';

/** The item a row describes, as the variant of its kind. */
function toItem(db: Database, row: ItemRow): Item {
	const settings = JSON.parse(row.settings) as ItemSettings;
	const common = {
		id: row.id,
		name: row.name,
		state: row.state,
		blockSize: row.block_size,
		createdAt: row.created_at,
		policy: row.policy_name ?? undefined,
		deletedAt: row.deleted_at ?? undefined,
		lastSlotAt: row.last_slot_at ?? undefined,
	};
	if (row.kind === 'postgres') {
		if (!settings.postgres) {
			throw new RuntimeError('CATALOG_DAMAGED', `PostgreSQL item "${row.name}" has no connection settings in the catalog`, {hint: 'The catalog was altered or damaged: restore catalog.db from a copy'});
		}

		return {...common, kind: 'postgres', postgres: settings.postgres};
	}

	const disks = db.prepare('SELECT id, name, path FROM disks WHERE item_id = ? ORDER BY id').all(row.id) as Disk[];
	return {...common, kind: 'volume', disks, freezeCmd: settings.freezeCmd, thawCmd: settings.thawCmd, allowLive: settings.allowLive === true};
}

/** Gives each source path a disk name, unique within the item, that is safe as a file name. */
export function diskNames(paths: readonly string[]): string[] {
	const used = new Set<string>();
	return paths.map(path => {
		const base = basename(path).replace(/[^\w.-]/g, '_').replace(/^\.+/, '_') || 'disk';
		// A file name may be 255 bytes: the disk name keeps its first characters, within the length of any name.
		let name = base.slice(0, maxNameLength);
		for (let n = 2; used.has(name); n++) name = `${base.slice(0, maxNameLength - String(n).length - 1)}-${n}`;
		used.add(name);
		return name;
	});
}

/** Records a new item; fails if the name is taken. */
export function insertItem(catalog: CatalogHandle, item: NewItem): Item {
	const db = connectionOf(catalog);
	const settings: ItemSettings = {};
	if (item.postgres) settings.postgres = item.postgres;
	if (item.freezeCmd) settings.freezeCmd = item.freezeCmd;
	if (item.thawCmd) settings.thawCmd = item.thawCmd;
	if (item.allowLive) settings.allowLive = true;
	const insert = db.transaction(() => {
		if (db.prepare('SELECT 1 FROM items WHERE name = ?').get(item.name)) {
			throw new UserError('ITEM_EXISTS', `an item named "${item.name}" already exists`, {hint: 'Choose another name, or see `strata item list`'});
		}

		const {lastInsertRowid} = db
			.prepare('INSERT INTO items (name, kind, block_size, settings, created_at) VALUES (?, ?, ?, ?, ?)')
			.run(item.name, item.kind, item.blockSize, JSON.stringify(settings), item.createdAt);
		const addDisk = db.prepare('INSERT INTO disks (item_id, name, path) VALUES (?, ?, ?)');
		for (const disk of item.disks ?? []) addDisk.run(lastInsertRowid, disk.name, disk.path);
		return Number(lastInsertRowid);
	});
	const id = insert.immediate();
	return getItemById(db, id)!;
}

/** Every item, in the order they were added (the engine exports this one: items.ts). */
export function listItems(catalog: CatalogHandle): Item[] {
	const db = connectionOf(catalog);
	const rows = db.prepare(`${itemSelect} ORDER BY i.id`).all() as ItemRow[];
	return rows.map(row => toItem(db, row));
}

export function getItemById(catalog: CatalogHandle, id: number): Item | undefined {
	const db = connectionOf(catalog);
	const row = db.prepare(`${itemSelect} WHERE i.id = ?`).get(id) as ItemRow | undefined;
	return row ? toItem(db, row) : undefined;
}

/** The item with this name, or a clear error naming it. */
export function requireItem(catalog: CatalogHandle, name: string): Item {
	const db = connectionOf(catalog);
	const row = db.prepare(`${itemSelect} WHERE i.name = ?`).get(name) as ItemRow | undefined;
	if (!row) {
		throw new UserError('ITEM_NOT_FOUND', `no item named "${name}"`, {hint: 'See `strata item list` for the items in this repository'});
	}

	return toItem(db, row);
}

/** Removes an item that has no recovery points. */
export function deleteItem(catalog: CatalogHandle, name: string): void {
	const db = connectionOf(catalog);
	const item = requireItem(db, name);
	const remove = db.transaction(() => {
		const points = db.prepare('SELECT count(*) AS n FROM recovery_points WHERE item_id = ?').get(item.id) as {n: number};
		if (points.n > 0) {
			throw new UserError('ITEM_HAS_POINTS', `item "${name}" has ${points.n} recovery point(s)`, {
				hint: 'Stop its protection and delete its data first (`strata protect stop ITEM --delete-data`)',
			});
		}

		db.prepare('DELETE FROM disks WHERE item_id = ?').run(item.id);
		db.prepare('DELETE FROM items WHERE id = ?').run(item.id);
	});
	remove.immediate();
}

/** Points an item at a policy (or none). */
export function setItemPolicyId(catalog: CatalogHandle, itemId: number, policyId: number | null): void {
	const db = connectionOf(catalog);
	db.prepare('UPDATE items SET policy_id = ? WHERE id = ?').run(policyId, itemId);
}

/** What `updateItemSettings` changes: a value sets it, null removes it, absent leaves it. */
export type SettingsChange = {freezeCmd?: string | null; thawCmd?: string | null; allowLive?: boolean};

/** Changes a volume item's freeze and thaw commands or whether live reads are allowed (kept in its settings). */
export function updateItemSettings(catalog: CatalogHandle, itemId: number, change: SettingsChange): void {
	const db = connectionOf(catalog);
	const update = db.transaction(() => {
		const row = db.prepare('SELECT settings FROM items WHERE id = ?').get(itemId) as {settings: string};
		const settings = JSON.parse(row.settings) as ItemSettings;
		for (const key of ['freezeCmd', 'thawCmd'] as const) {
			const value = change[key];
			if (value === null) delete settings[key];
			else if (value !== undefined) settings[key] = value;
		}

		if (change.allowLive === true) settings.allowLive = true;
		else if (change.allowLive === false) delete settings.allowLive;
		db.prepare('UPDATE items SET settings = ? WHERE id = ?').run(JSON.stringify(settings), itemId);
	});
	update.immediate();
}

/** Records an item's protection state and, for a soft delete, when it happened. */
export function setItemState(catalog: CatalogHandle, itemId: number, state: ItemState, deletedAt: string | null): void {
	const db = connectionOf(catalog);
	db.prepare('UPDATE items SET state = ?, deleted_at = ? WHERE id = ?').run(state, deletedAt, itemId);
}

/** Remembers the latest schedule slot the scheduler ran for an item. */
export function setItemLastSlot(catalog: CatalogHandle, itemId: number, slot: string): void {
	const db = connectionOf(catalog);
	db.prepare('UPDATE items SET last_slot_at = ? WHERE id = ?').run(slot, itemId);
}
