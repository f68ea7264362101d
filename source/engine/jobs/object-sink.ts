/**
 * Where a backup puts the pieces it found new: each is looked up by hash (in this backup, then in the catalog) and
 * only written to a pack when the repository does not have it yet. Returns an ObjectRef for the block map.
 */
import {ObjectIndex} from '../catalog/objects.js';
import type {ObjectRef} from '../catalog/points.js';
import type {Repository} from '../repository.js';
import {type Codec, PackWriter, type WrittenObject} from '../store/index.js';

export class ObjectSink {
	readonly writer: PackWriter;
	readonly newObjects: WrittenObject[] = [];
	private readonly index: ObjectIndex;
	private readonly pendingByHash = new Map<string, number>();
	storedBytes = 0;

	constructor(repo: Repository) {
		this.writer = new PackWriter(repo.packsDir, repo.tmpDir);
		this.index = new ObjectIndex(repo.db);
	}

	/** The ref of a piece this backup already wrote, if any. */
	known(hash: Buffer): ObjectRef | undefined {
		const pending = this.pendingByHash.get(hash.toString('hex'));
		return pending === undefined ? undefined : -(pending + 1);
	}

	/** Stores a piece unless the repository (or this backup) already has its hash. */
	put(hash: Buffer, stored: Uint8Array, rawLength: number, codec: Codec): ObjectRef {
		const key = hash.toString('hex');
		const pending = this.pendingByHash.get(key);
		if (pending !== undefined) return -(pending + 1);
		const existing = this.index.idOf(hash);
		if (existing !== undefined) return existing;
		// The hash buffer may be a view into a transferred batch; keep a copy of its own.
		const written = this.writer.add(Buffer.from(hash), stored, rawLength, codec);
		this.newObjects.push(written);
		this.pendingByHash.set(key, this.newObjects.length - 1);
		this.storedBytes += stored.length;
		return -this.newObjects.length;
	}
}
