/**
 * Where a backup puts the pieces it found new: each is looked up by hash (in this backup, then in the catalog) and
 * only written to a pack when the repository does not have it yet. Returns an ObjectRef for the block map. What the
 * backup wrote, and its block-map entries or recipe, go to its staging file (catalog/staging.ts) as it goes, so its
 * memory does not grow with the volume; the commit moves them into the catalog.
 */
import {markedObjects, type Repair} from '../catalog/damage.js';
import {ObjectIndex} from '../catalog/objects.js';
import {clearPendingPacks, pendingHooks} from '../catalog/pending-packs.js';
import {commitRecoveryPoint, type ObjectRef, type PointCommit, requirePoint, withStagingAttached} from '../catalog/points.js';
import {capCacheForBackup, removeDeadStaging, Staging} from '../catalog/staging.js';
import {crashPoint} from '../crash.js';
import type {BackupType, Item, RecoveryPoint, Trigger} from '../model/index.js';
import type {Repository} from '../repository.js';
import {type Codec, PackWriter} from '../store/index.js';
import {withRecords} from '../store/manifest-writer.js';

export class ObjectSink {
	readonly writer: PackWriter;
	/** What this backup wrote (refs to them are negative: -(seq + 1)), and its block-map entries or recipe. */
	readonly staging: Staging;
	/** Fresh copies of objects marked damaged, which the commit repoints the objects at. */
	readonly repairs: Repair[] = [];
	/** Objects marked damaged (id to hash): never deduplicated against until this backup has stored them again. */
	readonly damaged: ReadonlyMap<number, Buffer>;
	private readonly damagedHashes: Set<string>;
	private readonly repaired = new Set<number>();
	private readonly index: ObjectIndex;
	storedBytes = 0;
	committed = false;

	constructor(private readonly repo: Repository) {
		this.writer = new PackWriter(repo.packsDir, repo.tmpDir, undefined, true, pendingHooks(repo, repo.catalogPath));
		this.index = new ObjectIndex(repo);
		capCacheForBackup(repo);
		// A killed backup's staging file is garbage (gc removes them too).
		removeDeadStaging(repo.tmpDir);
		this.staging = new Staging(repo.tmpDir);
		this.damaged = new Map(markedObjects(repo).map(object => [object.id, object.hash]));
		this.damagedHashes = new Set([...this.damaged.values()].map(hash => hash.toString('hex')));
	}

	/** Removes what a backup that failed before its commit wrote, and its pending rows. */
	async discard(): Promise<void> {
		await this.writer.idle();
		this.staging.discard();
		this.writer.discard();
		clearPendingPacks(this.repo, this.writer.packs.map(pack => pack.name));
	}

	/** How many objects this backup wrote so far. */
	get newCount(): number {
		return this.staging.objectCount;
	}

	/** The ref of a piece this backup already wrote, if any. */
	known(hash: Uint8Array): ObjectRef | undefined {
		const seq = this.staging.find(hash);
		return seq === undefined ? undefined : -(seq + 1);
	}

	/** Records a block-map entry of the point being made (a ref from put, a catalog object id, or 0 for no data). */
	entry(diskId: number, blockIndex: number, ref: ObjectRef): void {
		this.staging.addEntry(diskId, blockIndex, ref);
	}

	/** Appends steps to the recipe of the point being made (a stream point's chunks, in order). */
	recipe(refs: readonly ObjectRef[]): void {
		this.staging.addRecipe(refs);
	}

	/** The catalog object with this hash when it may be deduplicated against: not one marked damaged (until repaired here). */
	reusable(hash: Buffer): ObjectRef | undefined {
		const id = this.index.idOf(hash);
		return id === undefined || this.needsCopy(id) ? undefined : id;
	}

	/** Whether an object is marked damaged and not yet stored again by this backup. */
	needsCopy(id: number): boolean {
		return this.damaged.has(id) && !this.repaired.has(id);
	}

	/** Whether a hash (hex) is that of a damaged object: a base or previous point's copy of it must not be reused. */
	isDamagedHash(hex: string): boolean {
		return this.damagedHashes.has(hex);
	}

	/**
	 * Stores a piece unless the repository (or this backup) already has its hash. The hash is copied. A piece whose
	 * object is marked damaged is stored again, and its ref stays the object's id: the commit repoints that object.
	 */
	put(hash: Buffer, stored: Uint8Array, rawLength: number, codec: Codec): ObjectRef {
		const pending = this.staging.find(hash);
		if (pending !== undefined) return -(pending + 1);
		const existing = this.index.idOf(hash);
		if (existing !== undefined && !this.needsCopy(existing)) return existing;
		const written = this.writer.add(hash, stored, rawLength, codec);
		this.storedBytes += stored.length;
		if (existing !== undefined) {
			// writer.add's hash is a view into a reused buffer: keep the object's own.
			this.repairs.push({...written, hash: this.damaged.get(existing)!, objectId: existing});
			this.repaired.add(existing);
			return existing;
		}

		return -(this.staging.addObject(written) + 1);
	}
}

export type PlannedPoint = {type: BackupType; baseId: number | undefined; trigger: Trigger; createdAt: string; retainUntil: Date | undefined};

/**
 * The end of every backup: make the packs durable, then commit the point and its map or recipe in one transaction.
 * Until this returns, a failure leaves nothing visible (the caller discards the sink's packs).
 */
export async function commitBackup(repo: Repository, item: Item, sink: ObjectSink, plan: PlannedPoint, capture: Pick<PointCommit, 'changedBlocks' | 'meta' | 'disks' | 'streamChurn'>): Promise<RecoveryPoint> {
	await sink.writer.settle();
	const packs = sink.writer.finish();
	crashPoint('packs-durable');
	// The point's manifest and the repository's state are written and made durable inside the commit's transaction, and
	// named by it (store/manifest-writer.ts): the catalog can be rebuilt from the packs. The staging file is attached
	// first: SQLite attaches no database inside a transaction.
	const id = withStagingAttached(repo, sink.staging, () =>
		withRecords(repo, records => {
			const rpId = commitRecoveryPoint(repo, {
				itemId: item.id,
				type: plan.type,
				trigger: plan.trigger,
				baseId: plan.type === 'full' ? undefined : plan.baseId,
				createdAt: plan.createdAt,
				retainUntil: plan.retainUntil?.toISOString(),
				packs,
				staging: sink.staging,
				repairs: sink.repairs,
				...capture,
			});
			records.point(rpId).state();
			return rpId;
		}),
	);
	sink.committed = true;
	sink.staging.discard();
	repo.recordCommit();
	crashPoint('point-committed');
	return requirePoint(repo, item.id, item.name, id);
}
