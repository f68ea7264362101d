/**
 * Schema migrations, one entry per catalog version (PRAGMA user_version). Append only: never edit a shipped
 * migration, add the next one. Each runs in its own transaction, so a crash mid-upgrade leaves the old version.
 */
import type {Database} from 'better-sqlite3';
import {RuntimeError} from '../errors.js';

export const migrations: readonly string[] = [
	// 1: items and their disks.
	`
	CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE items (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		kind TEXT NOT NULL CHECK (kind IN ('volume', 'postgres')),
		block_size INTEGER NOT NULL,
		settings TEXT NOT NULL DEFAULT '{}',
		created_at TEXT NOT NULL
	);
	CREATE TABLE disks (
		id INTEGER PRIMARY KEY,
		item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		path TEXT NOT NULL,
		UNIQUE (item_id, name)
	);
	`,
	// 2: the object store index, recovery points, block maps and jobs.
	`
	ALTER TABLE items ADD COLUMN state TEXT NOT NULL DEFAULT 'active';
	ALTER TABLE items ADD COLUMN deleted_at TEXT;
	CREATE TABLE packs (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		size INTEGER NOT NULL,
		created_at TEXT NOT NULL
	);
	CREATE TABLE objects (
		id INTEGER PRIMARY KEY,
		hash BLOB NOT NULL UNIQUE,
		pack_id INTEGER NOT NULL REFERENCES packs(id),
		offset INTEGER NOT NULL,
		stored_length INTEGER NOT NULL,
		raw_length INTEGER NOT NULL,
		codec INTEGER NOT NULL,
		charged_rp_id INTEGER
	);
	CREATE INDEX objects_pack ON objects (pack_id);
	CREATE INDEX objects_charged ON objects (charged_rp_id);
	CREATE TABLE recovery_points (
		id INTEGER PRIMARY KEY,
		item_id INTEGER NOT NULL REFERENCES items(id),
		type TEXT NOT NULL CHECK (type IN ('full', 'incremental', 'differential')),
		trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'on-demand')),
		base_id INTEGER REFERENCES recovery_points(id),
		created_at TEXT NOT NULL,
		retain_until TEXT,
		changed_blocks INTEGER NOT NULL DEFAULT 0,
		owned_blocks INTEGER NOT NULL DEFAULT 0,
		logical_bytes INTEGER NOT NULL DEFAULT 0,
		stored_bytes INTEGER NOT NULL DEFAULT 0,
		meta TEXT NOT NULL DEFAULT '{}'
	);
	CREATE INDEX recovery_points_item ON recovery_points (item_id, id);
	CREATE TABLE rp_disks (
		rp_id INTEGER NOT NULL REFERENCES recovery_points(id),
		disk_id INTEGER NOT NULL REFERENCES disks(id),
		size INTEGER NOT NULL,
		changed_blocks INTEGER NOT NULL DEFAULT 0,
		changed_bytes INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (rp_id, disk_id)
	) WITHOUT ROWID;
	CREATE TABLE block_map (
		rp_id INTEGER NOT NULL,
		disk_id INTEGER NOT NULL,
		block_index INTEGER NOT NULL,
		object_id INTEGER,
		PRIMARY KEY (rp_id, disk_id, block_index)
	) WITHOUT ROWID;
	CREATE INDEX block_map_object ON block_map (object_id) WHERE object_id IS NOT NULL;
	CREATE TABLE jobs (
		id INTEGER PRIMARY KEY,
		item_id INTEGER,
		item_name TEXT,
		kind TEXT NOT NULL,
		trigger TEXT NOT NULL,
		status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
		started_at TEXT NOT NULL,
		ended_at TEXT,
		progress TEXT,
		error TEXT,
		pid INTEGER,
		detail TEXT NOT NULL DEFAULT '{}'
	);
	CREATE INDEX jobs_started ON jobs (started_at);
	`,
	// 3: policies (schedule + retention) and the lifecycle state of items.
	`
	CREATE TABLE policies (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		schedule TEXT NOT NULL,
		timezone TEXT NOT NULL DEFAULT 'UTC',
		retain_daily INTEGER,
		retain_weekly INTEGER,
		retain_monthly INTEGER,
		retain_yearly INTEGER,
		created_at TEXT NOT NULL
	);
	ALTER TABLE items ADD COLUMN policy_id INTEGER REFERENCES policies(id);
	ALTER TABLE items ADD COLUMN last_slot_at TEXT;
	`,
	// 4: recipes of stream points (PostgreSQL dumps): the ordered chunks that reassemble each dump.
	`
	CREATE TABLE recipes (
		rp_id INTEGER NOT NULL,
		seq INTEGER NOT NULL,
		object_id INTEGER NOT NULL,
		PRIMARY KEY (rp_id, seq)
	) WITHOUT ROWID;
	CREATE INDEX recipes_object ON recipes (object_id, rp_id);
	`,
	// 5: the bytes of data (non-zero blocks) each disk held at capture: the base of churn shares.
	`
	ALTER TABLE rp_disks ADD COLUMN used_bytes INTEGER;
	`,
	// 6: the churn of dump points (meta.changedBytes: the raw bytes of the chunks not in the item's previous point's
	// recipe), for points from before it was recorded. Computed only where the item's previous point still is the one
	// the backup compared with: the count of changed chunks found again must equal the one recorded; the others stay
	// unknown rather than wrong.
	`
	WITH streams AS (
		SELECT p.id, (SELECT max(q.id) FROM recovery_points q WHERE q.item_id = p.item_id AND q.id < p.id) AS previous_id
		FROM recovery_points p WHERE EXISTS (SELECT 1 FROM recipes r WHERE r.rp_id = p.id)
	),
	changed AS (
		SELECT DISTINCT s.id, r.object_id FROM streams s JOIN recipes r ON r.rp_id = s.id
		WHERE NOT EXISTS (SELECT 1 FROM recipes x WHERE x.object_id = r.object_id AND x.rp_id = s.previous_id)
	),
	totals AS (
		SELECT c.id, count(*) AS chunks, sum(o.raw_length) AS bytes FROM changed c JOIN objects o ON o.id = c.object_id GROUP BY c.id
	)
	UPDATE recovery_points SET meta = json_set(meta, '$.changedBytes', totals.bytes)
	FROM totals WHERE recovery_points.id = totals.id AND totals.chunks = recovery_points.changed_blocks
		AND json_extract(recovery_points.meta, '$.changedBytes') IS NULL;
	`,
	// 7: objects found damaged (by verify or a restore): backups store them again instead of deduplicating against
	// them. repaired_at is set when a fresh copy replaced the damaged one, until verify has reported the repair.
	`
	CREATE TABLE damaged_objects (
		object_id INTEGER PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
		problem TEXT NOT NULL,
		found_at TEXT NOT NULL,
		repaired_at TEXT
	);
	`,
	// 8: pack files written but not yet named by a committed point, with the writer's process: gc removes a dead
	// writer's without asking, and refuses to delete a pack file it cannot account for.
	`
	CREATE TABLE pending_packs (
		name TEXT PRIMARY KEY,
		pid INTEGER NOT NULL,
		host TEXT NOT NULL,
		created_at TEXT NOT NULL
	) WITHOUT ROWID;
	`,
	// 9: restores pin their point (pid and host of the restoring process): expire does not merge a pinned point away
	// while that process lives, and gc does not move or delete packs meanwhile.
	`
	CREATE TABLE pins (
		id INTEGER PRIMARY KEY,
		rp_id INTEGER NOT NULL REFERENCES recovery_points (id) ON DELETE CASCADE,
		pid INTEGER NOT NULL,
		host TEXT NOT NULL,
		command TEXT NOT NULL,
		started_at TEXT NOT NULL
	);
	CREATE INDEX pins_rp ON pins (rp_id);
	`,
	// 10: records: the manifest and state objects (store/manifest.ts) that describe the catalog in the packs, so it
	// can be rebuilt from them (`strata catalog rebuild`): a point's current manifest (rp_id = the point), the current
	// state (rp_id = 0), and deletions (tombstones, rp_id = the deleted point). gc keeps what is listed here.
	`
	CREATE TABLE records (
		rp_id INTEGER NOT NULL,
		object_id INTEGER NOT NULL,
		kind INTEGER NOT NULL,
		PRIMARY KEY (rp_id, object_id)
	) WITHOUT ROWID;
	CREATE INDEX records_object ON records (object_id);
	`,
];

export const catalogVersion = migrations.length;

/** The schema version the catalog holds (PRAGMA user_version): below catalogVersion, it needs migrating. */
export function schemaVersion(db: Database): number {
	return db.pragma('user_version', {simple: true}) as number;
}

/** Whether the catalog holds any object: a repository of an older format without one can simply be relabelled. */
export function holdsObjects(db: Database): boolean {
	return (db.prepare('SELECT count(*) FROM objects').pluck().get() as number) > 0;
}

/** Brings a catalog up to `target` (default: the newest this build knows). Refuses a catalog newer than that. */
export function migrate(db: Database, target = catalogVersion): void {
	const current = schemaVersion(db);
	if (current > catalogVersion) {
		throw new RuntimeError('CATALOG_TOO_NEW', `the catalog has schema version ${current}, newer than this Strata understands (${catalogVersion})`, {
			hint: 'Upgrade Strata to open this repository',
		});
	}

	for (let version = current; version < target; version++) {
		const step = db.transaction(() => {
			db.exec(migrations[version]!);
			db.pragma(`user_version = ${version + 1}`);
		});
		step.immediate();
	}
}
