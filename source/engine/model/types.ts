/** Plain types shared by the engine, the CLI and the console. */

export type ItemState = 'active' | 'stopped-retained' | 'stopped-deleted';
export type BackupType = 'full' | 'incremental' | 'differential';
export type Trigger = 'scheduled' | 'on-demand';
export type JobKind = 'backup' | 'restore' | 'verify' | 'expire' | 'gc' | 'purge' | 'repair';
export type JobStatus = 'running' | 'succeeded' | 'failed';

/** The kinds of protected things, one a folder of sources/. */
export type ItemKind = Item['kind'];

export type Disk = {
	id: number;
	name: string;
	path: string;
};

export type PostgresSettings = {
	database: string;
	host?: string;
	port?: number;
	user?: string;
	service?: string;
};

/** What every item has, whatever it protects. */
type ItemCommon = {
	id: number;
	name: string;
	state: ItemState;
	/** A volume's block size; recorded for every item (a database's is the default and means nothing). */
	blockSize: number;
	createdAt: string;
	policy: string | undefined;
	/** When a stop with --delete-data soft-deleted it. */
	deletedAt: string | undefined;
	/** The latest schedule slot the scheduler ran for it. */
	lastSlotAt: string | undefined;
};

/** One or more disks (files or block devices) backed up block by block as one item. */
export type VolumeItem = ItemCommon & {
	kind: 'volume';
	disks: Disk[];
	freezeCmd: string | undefined;
	thawCmd: string | undefined;
	/** Block devices in use (mounted, held) may be read without a freeze command: the copy may be inconsistent. */
	allowLive: boolean;
};

/** A PostgreSQL database backed up logically (pg_dump); settings not given come from libpq's environment. */
export type PostgresItem = ItemCommon & {
	kind: 'postgres';
	postgres: PostgresSettings;
};

/** A protected item: its `kind` says which source folder (sources/<kind>/) backs it up and restores it. */
export type Item = VolumeItem | PostgresItem;

export type RecoveryPoint = {
	id: number;
	itemId: number;
	item: string;
	/** Its item's kind: which source describes and restores it. */
	kind: ItemKind;
	type: BackupType;
	trigger: Trigger;
	baseId: number | undefined;
	createdAt: string;
	expiresAt: string | undefined;
	retainUntil: string | undefined;
	ownedBlocks: number;
	changedBlocks: number;
	logicalBytes: number;
	storedBytes: number;
	disks: Array<{name: string; size: number}>;
	meta: Record<string, unknown>;
};

export type JobProgress = {
	doneBytes: number;
	totalBytes: number;
	bytesPerSecond?: number;
	etaSeconds?: number;
	phase?: string;
};

export type Job = {
	id: number;
	item: string | undefined;
	kind: JobKind;
	trigger: Trigger;
	status: JobStatus;
	startedAt: string;
	endedAt: string | undefined;
	progress: JobProgress | undefined;
	error: string | undefined;
	pid: number | undefined;
	detail: Record<string, unknown>;
};

/** How long recovery points are kept: a scheduled point N days; the first of its ISO week N weeks, and so on. */
export type Retention = {
	daily: number | undefined;
	weekly: number | undefined;
	monthly: number | undefined;
	yearly: number | undefined;
};

export type Policy = {
	id: number;
	name: string;
	schedule: string;
	timezone: string;
	retention: Retention;
	createdAt: string;
	itemCount: number;
};
