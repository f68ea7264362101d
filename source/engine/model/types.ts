/** Plain types shared by the engine, the CLI and the console. */

export type ItemKind = 'volume' | 'postgres';
export type ItemState = 'active' | 'stopped-retained' | 'stopped-deleted';
export type BackupType = 'full' | 'incremental' | 'differential';
export type Trigger = 'scheduled' | 'on-demand';
export type JobKind = 'backup' | 'restore' | 'verify' | 'expire' | 'gc' | 'purge' | 'repair';
export type JobStatus = 'running' | 'succeeded' | 'failed';

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

export type Item = {
	id: number;
	name: string;
	kind: ItemKind;
	state: ItemState;
	blockSize: number;
	createdAt: string;
	policy: string | undefined;
	/** When a stop with --delete-data soft-deleted it. */
	deletedAt: string | undefined;
	/** The latest schedule slot the scheduler ran for it. */
	lastSlotAt: string | undefined;
	disks: Disk[];
	postgres: PostgresSettings | undefined;
	freezeCmd: string | undefined;
	thawCmd: string | undefined;
	/** Block devices in use (mounted, held) may be read without a freeze command: the copy may be inconsistent. */
	allowLive: boolean;
};

export type RecoveryPoint = {
	id: number;
	itemId: number;
	item: string;
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

export const minBlockSize = 4096;
export const maxBlockSize = 1024 * 1024;
export const defaultBlockSize = 16 * 1024;

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
