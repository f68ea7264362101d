/**
 * `strata repair`: heals objects marked damaged from the sources, without a new backup. For a volume item it reads
 * only the blocks where its points reference marked objects and stores again each block whose content still hashes
 * to a marked object; the objects are repointed at the fresh copies in one transaction, so every point using them
 * heals. A PostgreSQL dump cannot be re-read in pieces: only its next backup stores its chunks again.
 */
import {open} from 'node:fs/promises';
import {type CheckQueries, checkQueries} from '../catalog/checks.js';
import type {Repair} from '../catalog/damage.js';
import {now} from '../clock.js';
import {crashPoint} from '../crash.js';
import type {Item, JobProgress, VolumeItem} from '../model/index.js';
import type {Repository} from '../repository.js';
import {CodecPool, hashLength, PackWriter} from '../store/index.js';
import {throwIfAborted} from '../abort.js';
import {withJob} from './with-job.js';

export type BrokenPoint = {item: string; id: number; reason: string};

export type RepairReport = {
	/** Objects marked damaged (in scope) when the repair started. */
	damagedBefore: number;
	/** Of those, the ones stored again from their sources. */
	repaired: number;
	/** Points that still need a damaged object, one reason each. */
	brokenPoints: BrokenPoint[];
};

export type RepairOptions = {
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	lockWaitMs?: number | undefined;
	pool?: CodecPool | undefined;
};

/** Blocks hashed per request to the codec pool. */
const blocksPerBatch = 128;
const zstdLevel = 1;

/** The writers' lock a repair needs, taken as a backup takes it (one place, to follow the backup's locking). */
function lockForRepair(repo: Repository, itemName: string | undefined, options: RepairOptions) {
	return repo.lock({command: itemName === undefined ? 'repair' : `repair ${itemName}`, ...(options.lockWaitMs === undefined ? {} : {waitMs: options.lockWaitMs})});
}

/** Re-stores from the sources what they still hold of the damaged objects of one item (or all); reports what stays broken. */
export async function runRepair(repo: Repository, itemName: string | undefined, options: RepairOptions = {}): Promise<RepairReport> {
	const queries = checkQueries(repo);
	const items = queries.itemsToRepair(itemName);
	const lock = lockForRepair(repo, itemName, options);
	try {
		const job = {kind: 'repair', trigger: 'on-demand', ...(items.length === 1 ? {itemId: items[0]!.id, itemName: items[0]!.name} : {})} as const;
		const summary = (report: RepairReport) => ({repaired: report.repaired, brokenPoints: report.brokenPoints.map(point => point.id)});
		return await withJob(repo, {...job, summary, onProgress: options.onProgress}, async () => repairItems(repo, queries, items, options));
	} finally {
		lock.release();
	}
}

/** The repair itself, under the writers' lock: re-read, store, repoint in one transaction, then report. */
async function repairItems(repo: Repository, queries: CheckQueries, items: Item[], options: RepairOptions): Promise<RepairReport> {
	const pool = options.pool ?? new CodecPool();
	const writer = new PackWriter(repo.packsDir, repo.tmpDir, undefined, false, queries.pendingHooks(repo.catalogPath));
	let committed = false;
	try {
		const marked = new Map(queries.markedObjects().map(object => [object.hash.toString('hex'), object.id]));
		const repairs: Repair[] = [];
		const damagedBefore = new Set<number>();
		for (const item of items) {
			if (item.kind !== 'volume') {
				for (const id of queries.damagedChunks(item.id)) damagedBefore.add(id);
				continue;
			}

			const blocks = queries.damagedBlocks(item.id);
			for (const block of blocks) damagedBefore.add(block.objectId);
			if (blocks.length > 0) await rereadBlocks(item, blocks, {pool, writer, marked, repairs, signal: options.signal});
		}

		const packs = writer.finish();
		crashPoint('repair-durable');
		queries.commitRepairs(packs, repairs, now().toISOString());
		if (packs.length > 0) repo.recordCommit();
		committed = true;
		crashPoint('repair-committed');

		const stillMarked = new Set(queries.markedObjects().map(object => object.id));
		const points = items.flatMap(item => queries.pointsToCheck(item.id));
		const kindOf = new Map(points.map(point => [point.id, point.kind]));
		const brokenPoints = queries.pointsNeeding(points, stillMarked).map(point => ({
			...point,
			reason:
				kindOf.get(point.id) === 'postgres'
					? 'a dump cannot be re-read in pieces: back up the item again to store the chunks the database still holds'
					: 'its source no longer holds the damaged blocks as they were',
		}));
		return {damagedBefore: damagedBefore.size, repaired: repairs.length, brokenPoints};
	} finally {
		if (!committed) {
			writer.discard();
			queries.clearPendingPacks(writer.packs.map(pack => pack.name));
		}

		if (!options.pool) await pool.close();
	}
}

type RereadContext = {
	pool: CodecPool;
	writer: PackWriter;
	/** Marked objects not yet stored again: hash (hex) to id. */
	marked: Map<string, number>;
	repairs: Repair[];
	signal: AbortSignal | undefined;
};

/** Reads the given blocks of an item's disks as they are now and stores each whose content is a marked object's. */
async function rereadBlocks(item: VolumeItem, blocks: ReadonlyArray<{diskId: number; blockIndex: number}>, context: RereadContext): Promise<void> {
	for (const disk of item.disks) {
		const indices = [...new Set(blocks.filter(block => block.diskId === disk.id).map(block => block.blockIndex))];
		if (indices.length === 0) continue;
		let handle;
		try {
			handle = await open(disk.path, 'r');
		} catch {
			continue; // A source that is gone heals nothing; its points are reported as broken.
		}

		try {
			for (let from = 0; from < indices.length; from += blocksPerBatch) {
				throwIfAborted(context.signal);
				const batch = indices.slice(from, from + blocksPerBatch);
				const data = new Uint8Array(batch.length * item.blockSize);
				const offsets = new Uint32Array(batch.length + 1);
				let filled = 0;
				for (const [position, index] of batch.entries()) {
					const {bytesRead} = await handle.read(data, filled, item.blockSize, index * item.blockSize);
					filled += bytesRead;
					offsets[position + 1] = filled;
				}

				await storeMatching(data.buffer, offsets, context);
			}
		} finally {
			await handle.close();
		}
	}
}

async function storeMatching(data: ArrayBuffer, offsets: Uint32Array, context: RereadContext): Promise<void> {
	const encoded = await context.pool.encode({data, offsets, baseHashes: undefined, detectZero: false, level: zstdLevel});
	const payload = new Uint8Array(encoded.payload);
	let at = 0;
	for (let position = 0; position < offsets.length - 1; position++) {
		const stored = payload.subarray(at, at + encoded.lengths[position]!);
		at += stored.length;
		const rawLength = offsets[position + 1]! - offsets[position]!;
		if (rawLength === 0) continue;
		const hash = Buffer.from(encoded.hashes.subarray(position * hashLength, (position + 1) * hashLength));
		const objectId = context.marked.get(hash.toString('hex'));
		if (objectId === undefined) continue;
		context.marked.delete(hash.toString('hex'));
		context.repairs.push({...context.writer.add(hash, stored, rawLength, encoded.codecs[position]!), objectId});
	}
}
