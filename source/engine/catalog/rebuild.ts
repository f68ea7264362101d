/**
 * The SQL of `strata catalog rebuild` (jobs/rebuild.ts): a new catalog file filled from what the packs say, with the
 * ids the records give (items, disks, policies, points), the objects the packs' indexes list, and the points' block
 * maps and recipes; then the aggregates, recomputed as a commit computes them.
 */
import {closeSync, fsyncSync, openSync} from 'node:fs';
import type {Database, Statement} from 'better-sqlite3';
import {migrate} from './migrations.js';
import {openCatalog} from './open.js';
import {refreshPointAggregates} from './points.js';
import {forgetStaleRecords, type RecordedItem, type RecordedPoint, type RecordedPolicy, setRecords} from './manifests.js';

export type RebuiltItem = RecordedItem;
export type RebuiltPolicy = RecordedPolicy;
/** A point as a rebuild inserts it (its item named by id). */
export type RebuiltPoint = Omit<RecordedPoint, 'itemName'>;

/** The file a rebuild builds in the repository's tmp/, and where --force moves the catalog that was there. */
export const rebuildFileName = 'catalog-rebuild.db';
export function asideCatalogName(stamp: string): string {
	return `catalog-before-rebuild-${stamp}.db`;
}

export type ObjectPlace = {id: number; packName: string; offset: number; storedLength: number; rawLength: number; codec: number};

/** A catalog being rebuilt at `path` (a temporary file; the job renames it into place once complete). */
export class RebuildingCatalog {
	private readonly db: Database;
	private readonly insertObject: Statement;
	private readonly byHash: Statement;
	private readonly placeOf: Statement;
	private readonly insertEntry: Statement;
	private readonly insertStep: Statement;
	private readonly charge: Statement;
	private missingNext = 0;
	private readonly missing = new Map<string, number>();

	constructor(readonly path: string) {
		this.db = openCatalog(path, true);
		migrate(this.db);
		// Durability comes once, at the end (the file is fsynced before it is renamed into place).
		this.db.pragma('synchronous = OFF');
		this.db.pragma('foreign_keys = OFF');
		this.db.exec('BEGIN');
		this.insertObject = this.db.prepare('INSERT OR IGNORE INTO objects (hash, pack_id, offset, stored_length, raw_length, codec, charged_rp_id) VALUES (?, ?, ?, ?, ?, ?, NULL)');
		this.byHash = this.db.prepare('SELECT id FROM objects WHERE hash = ?').pluck();
		this.placeOf = this.db.prepare('SELECT o.id, p.name AS packName, o.offset, o.stored_length AS storedLength, o.raw_length AS rawLength, o.codec FROM objects o JOIN packs p ON p.id = o.pack_id WHERE o.hash = ?');
		this.insertEntry = this.db.prepare('INSERT OR REPLACE INTO block_map (rp_id, disk_id, block_index, object_id) VALUES (?, ?, ?, ?)');
		this.insertStep = this.db.prepare('INSERT OR REPLACE INTO recipes (rp_id, seq, object_id) VALUES (?, ?, ?)');
		this.charge = this.db.prepare('UPDATE objects SET charged_rp_id = ? WHERE id = ?');
	}

	insertPack(name: string, size: number, at: string): number {
		return Number(this.db.prepare('INSERT INTO packs (name, size, created_at) VALUES (?, ?, ?)').run(name, size, at).lastInsertRowid);
	}

	/** Lists an object where a pack's index says it is; the first copy found of a hash is the one kept. */
	addObject(hash: Buffer, packId: number, offset: number, storedLength: number, rawLength: number, codec: number): void {
		this.insertObject.run(hash, packId, offset, storedLength, rawLength, codec);
	}

	/** Where the object with this hash is, if a readable pack lists it. */
	place(hash: Buffer): ObjectPlace | undefined {
		return this.placeOf.get(hash) as ObjectPlace | undefined;
	}

	/** The id of the object with this hash; one no readable pack lists gets an id no object row has (a restore names it missing). */
	objectId(hash: Buffer): {id: number; found: boolean} {
		const id = this.byHash.get(hash) as number | undefined;
		if (id !== undefined) return {id, found: true};
		const key = hash.toString('hex');
		let placeholder = this.missing.get(key);
		if (placeholder === undefined) {
			if (this.missingNext === 0) this.missingNext = (this.db.prepare('SELECT coalesce(max(id), 0) FROM objects').pluck().get() as number) + 1_000_000;
			placeholder = this.missingNext++;
			this.missing.set(key, placeholder);
		}

		return {id: placeholder, found: false};
	}

	insertPolicy(policy: RebuiltPolicy): void {
		this.db
			.prepare('INSERT INTO policies (id, name, schedule, timezone, retain_daily, retain_weekly, retain_monthly, retain_yearly, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
			.run(policy.id, policy.name, policy.schedule, policy.timezone, policy.retainDaily, policy.retainWeekly, policy.retainMonthly, policy.retainYearly, policy.createdAt);
	}

	insertItem(item: RebuiltItem): void {
		this.db
			.prepare('INSERT INTO items (id, name, kind, block_size, settings, created_at, state, deleted_at, policy_id, last_slot_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
			.run(item.id, item.name, item.kind, item.blockSize, item.settings, item.createdAt, item.state, item.deletedAt, item.policyId, item.lastSlotAt);
		const disk = this.db.prepare('INSERT INTO disks (id, item_id, name, path) VALUES (?, ?, ?, ?)');
		for (const each of item.disks) disk.run(each.id, item.id, each.name, each.path);
	}

	putSetting(key: string, value: string): void {
		this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
	}

	insertPoint(point: RebuiltPoint): void {
		this.db
			.prepare('INSERT INTO recovery_points (id, item_id, type, trigger, base_id, created_at, retain_until, changed_blocks, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
			.run(point.id, point.itemId, point.type, point.trigger, point.baseId, point.createdAt, point.retainUntil, point.changedBlocks, point.meta);
		const disk = this.db.prepare('INSERT INTO rp_disks (rp_id, disk_id, size, changed_blocks, changed_bytes, used_bytes) VALUES (?, ?, ?, ?, ?, ?)');
		for (const each of point.disks) disk.run(point.id, each.diskId, each.size, each.changedBlocks, each.changedBytes, each.usedBytes);
	}

	addEntry(rpId: number, diskId: number, blockIndex: number, objectId: number | null): void {
		this.insertEntry.run(rpId, diskId, blockIndex, objectId);
	}

	addStep(rpId: number, seq: number, objectId: number): void {
		this.insertStep.run(rpId, seq, objectId);
	}

	chargeTo(objectId: number, rpId: number): void {
		this.charge.run(rpId, objectId);
	}

	setRecords(rpId: number, objectIds: readonly number[], kind: number): void {
		setRecords(this.db, rpId, objectIds, kind);
	}

	forgetStaleRecords(hashes: readonly Buffer[]): void {
		forgetStaleRecords(this.db, hashes);
	}

	/** Owned blocks, logical and stored bytes of every point, as a commit computes them. */
	refreshAggregates(): void {
		for (const id of this.db.prepare('SELECT id FROM recovery_points ORDER BY id').pluck().all() as number[]) refreshPointAggregates(this.db, id);
	}

	objectCount(): number {
		return this.db.prepare('SELECT count(*) FROM objects').pluck().get() as number;
	}

	/** Commits, folds the WAL into the file, closes it and makes it durable: ready to be renamed into place. */
	finish(): void {
		this.db.exec('COMMIT');
		this.db.pragma('wal_checkpoint(TRUNCATE)');
		this.db.close();
		const fd = openSync(this.path, 'r');
		try {
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
	}

	close(): void {
		if (this.db.open) this.db.close();
	}
}
