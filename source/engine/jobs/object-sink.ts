/**
 * Where a backup puts the pieces it found new: each is looked up by hash (in this backup, then in the catalog) and
 * only written to a pack when the repository does not have it yet. Returns an ObjectRef for the block map.
 */
import {ObjectIndex} from '../catalog/objects.js';
import {clearPendingPacks, pendingHooks} from '../catalog/pending-packs.js';
import {commitRecoveryPoint, type ObjectRef, type PointCommit, requirePoint} from '../catalog/points.js';
import {crashPoint} from '../crash.js';
import type {BackupType, Item, RecoveryPoint, Trigger} from '../model/index.js';
import type {Repository} from '../repository.js';
import {type Codec, PackWriter, WrittenObjects} from '../store/index.js';

export class ObjectSink {
	readonly writer: PackWriter;
	/** What this backup wrote; refs to them are negative: -(row + 1). */
	readonly newObjects = new WrittenObjects();
	private readonly index: ObjectIndex;
	storedBytes = 0;
	committed = false;

	constructor(private readonly repo: Repository) {
		this.writer = new PackWriter(repo.packsDir, repo.tmpDir, undefined, true, pendingHooks(repo.db, repo.catalogPath));
		this.index = new ObjectIndex(repo.db);
	}

	/** Removes what a backup that failed before its commit wrote, and its pending rows. */
	async discard(): Promise<void> {
		await this.writer.idle();
		this.writer.discard();
		clearPendingPacks(this.repo.db, this.writer.packs.map(pack => pack.name));
	}

	/** The ref of a piece this backup already wrote, if any. */
	known(hash: Uint8Array): ObjectRef | undefined {
		const row = this.newObjects.find(hash);
		return row === undefined ? undefined : -(row + 1);
	}

	/** Stores a piece unless the repository (or this backup) already has its hash. The hash is copied. */
	put(hash: Buffer, stored: Uint8Array, rawLength: number, codec: Codec): ObjectRef {
		const pending = this.newObjects.find(hash);
		if (pending !== undefined) return -(pending + 1);
		const existing = this.index.idOf(hash);
		if (existing !== undefined) return existing;
		const row = this.newObjects.add(this.writer.add(hash, stored, rawLength, codec));
		this.storedBytes += stored.length;
		return -(row + 1);
	}
}

export type PlannedPoint = {type: BackupType; baseId: number | undefined; trigger: Trigger; createdAt: string; retainUntil: Date | undefined};

/**
 * The end of every backup: make the packs durable, then commit the point and its map or recipe in one transaction.
 * Until this returns, a failure leaves nothing visible (the caller discards the sink's packs).
 */
export async function commitBackup(repo: Repository, item: Item, sink: ObjectSink, plan: PlannedPoint, capture: Pick<PointCommit, 'changedBlocks' | 'meta' | 'disks' | 'recipe'>): Promise<RecoveryPoint> {
	await sink.writer.settle();
	const packs = sink.writer.finish();
	crashPoint('packs-durable');
	const id = commitRecoveryPoint(repo.db, {
		itemId: item.id,
		type: plan.type,
		trigger: plan.trigger,
		baseId: plan.type === 'full' ? undefined : plan.baseId,
		createdAt: plan.createdAt,
		retainUntil: plan.retainUntil?.toISOString(),
		packs,
		newObjects: sink.newObjects,
		...capture,
	});
	sink.committed = true;
	repo.recordCommit();
	crashPoint('point-committed');
	return requirePoint(repo.db, item.id, item.name, id);
}
