/**
 * Sources: the kinds of things Strata protects, one folder a kind (volume/, postgres/), all behind one interface.
 *
 * - source kind: an item's `kind`; names its folder here and its variant of the Item union in model/.
 * - plan: what a backup will be before anything is read: its type (full, incremental, differential), its base and
 *   the previous point (backup-plan.ts); a restore's plan is its checked targets, decided before anything is written.
 * - capture: reading the item and storing what is new: pieces go through the object sink (object-sink.ts), which
 *   writes only what the repository lacks, and the point commits in one transaction once its packs are durable.
 * - base: the point a new one is stored against: an incremental's is the previous point, a differential's the last
 *   full; a full has none.
 * - block map: a volume point's (disk, block index) -> object entries; it holds only what differs from its base, and
 *   a restore resolves each block through the chain down to the full.
 * - recipe: a stream point's (a dump's) ordered list of chunks; every point has its whole recipe, no chain.
 * - locate / decode: how a restore reads a point: where an object is, and its bytes checked against its hash.
 *
 * A new kind is one folder, sources/<kind>/, whose index.ts exports a Source, and one line in `sources` below.
 */
import type {BackupType, Item, ItemKind, RecoveryPoint} from '../model/index.js';
import type {Repository} from '../repository.js';
import {postgresSource} from './postgres/index.js';
import {volumeSource} from './volume/index.js';
import type {BackupPlan, CaptureOptions} from './backup-plan.js';
import type {RestoreOutcome, RestorePlan, RestoreRequest, RestoreRunOptions} from './restore-plan.js';

export type {BackupPlan, CaptureOptions} from './backup-plan.js';
export type {RestoreOutcome, RestorePlan, RestoreRequest, RestoreRunOptions} from './restore-plan.js';

/** What every kind of protected thing does; `I` is its variant of Item, `P` its restore plan. */
export type Source<I extends Item, P extends RestorePlan = RestorePlan> = {
	/** Which type a backup of this item really is (the first is a full) and what it is stored against. */
	planBackup(repo: Repository, item: I, requested: BackupType | undefined): BackupPlan;
	/** Reads the item, stores what is new and commits the point; nothing is visible if it fails. The caller holds the item's lock. */
	capture(repo: Repository, item: I, plan: BackupPlan, options: CaptureOptions): Promise<RecoveryPoint>;
	/** Checks the targets and decides what a restore will do, before anything is written; refuses other kinds' flags. */
	planRestore(repo: Repository, item: I, point: RecoveryPoint, request: RestoreRequest): Promise<P>;
	/** Restores a point as planned; the caller has pinned it, so expire and gc leave its data alone meanwhile. */
	restore(repo: Repository, item: I, point: RecoveryPoint, plan: P, options: RestoreRunOptions & RestoreRequest): Promise<RestoreOutcome>;
	/** What the item protects, in one line for `item list` and the console: disk paths, or the database. */
	describeItem(item: I): string;
	/** One line on a point of this kind for the console: its base, and what it captured (sizes through `bytes`). */
	describePoint(point: RecoveryPoint, bytes: (count: number) => string): string;
};

type ItemOf<K extends ItemKind> = Extract<Item, {kind: K}>;

/** The registry: one line a kind. */
const sources: {[K in ItemKind]: Source<ItemOf<K>, any>} = {
	volume: volumeSource,
	postgres: postgresSource,
};

/** The source of an item's kind: what backup and restore jobs call. */
export function sourceOf<I extends Item>(item: I): Source<I> {
	// The registry is keyed by kind, so the entry for item.kind takes exactly this item's variant.
	return sources[item.kind] as unknown as Source<I>;
}

/** What an item protects, in one line (disk paths, or the database): for `item list` and the console. */
export function describeItem(item: Item): string {
	return sourceOf(item).describeItem(item);
}

/** One line on a recovery point, sizes written by `bytes`: for the console's points view. */
export function describePoint(point: RecoveryPoint, bytes: (count: number) => string): string {
	return sources[point.kind].describePoint(point, bytes);
}
