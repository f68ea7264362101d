/**
 * Turning a dump stream into a recipe. The stream is gathered into batches of about 4 MiB that end on a chunk
 * boundary and handed to the codec pool (shared with it, not copied); only chunks the repository lacks are stored.
 * A batch is stored one of two ways, by how much of the stream was new lately:
 * - mostly new (a first full): one worker pass hashes and compresses every chunk; known chunks' bytes are dropped;
 * - mostly known (an incremental): a pass that only hashes, then just the new chunks are compressed.
 * Batches are stored concurrently (both workers busy) and their refs go to the sink's recipe in stream order as they
 * complete, so the recipe (one ref per chunk) is never held whole.
 */
import type {Readable} from 'node:stream';
import {findCuts} from '../../chunkers/index.js';
import type {ObjectRef} from '../../catalog/points.js';
import type {ObjectSink} from '../object-sink.js';
import {type CodecPool, type EncodeResult, hashLength} from '../../store/index.js';
import {ReadAhead} from './read-ahead.js';

const batchBytes = 4 * 1024 * 1024;
/** Room for a batch's stored bytes: zstd's bound for 4 MiB in chunks of the minimum size is about 4.15 MiB. */
const payloadBytes = batchBytes + batchBytes / 16;
// Chunking yields to the event loop between slices, so pg_dump's pipe keeps being read meanwhile.
const sliceBytes = 256 * 1024;
const readAheadBytes = 64 * 1024 * 1024;
const maxPendingBatches = 8;
const zstdLevel = 1;
/** zstd level -1 asks the codec pool only to hash. */
const hashOnly = -1;

/** A stream read to its end: its bytes and the number of chunks in its recipe (which is in the sink). */
export type StreamCapture = {chunks: number; bytes: number};

export type CaptureContext = {
	pool: CodecPool;
	sink: ObjectSink;
	/** The previous point's chunks (hash hex to object id): most of an incremental is found here, without a query. */
	previous: Map<string, number>;
	signal: AbortSignal | undefined;
	onBytes(bytes: number): void;
};

function hashAt(result: EncodeResult, position: number): Buffer {
	return Buffer.from(result.hashes.buffer, result.hashes.byteOffset + position * hashLength, hashLength);
}

/** Stores batches of chunks; tracks which share of them was new, to choose how to store the next ones. */
class BatchStore {
	freshShare: number;
	/**
	 * Batch and payload buffers the workers are done with, filled again rather than allocating (and page-faulting) new
	 * ones. They are shared with the workers rather than transferred: a transferred buffer comes back as a new one,
	 * and those that lived on through the pipeline were promoted and freed only by full collections (45 in a 489 MiB
	 * dump, 23 now). Measured on a pgbench -s 50 full: 2.23-2.26 s instead of 2.49-2.62, 1.85 instead of 2.35 CPU-s.
	 */
	private readonly spare: SharedArrayBuffer[] = [];
	private readonly payloads: SharedArrayBuffer[] = [];

	constructor(
		private readonly context: CaptureContext,
		expectNew: boolean,
	) {
		this.freshShare = expectNew ? 1 : 0;
	}

	/** Stores the chunks of `data` (a buffer from `take`) cut at `offsets`; returns their refs in order. */
	async store(data: Uint8Array, offsets: Uint32Array): Promise<ObjectRef[]> {
		const count = offsets.length - 1;
		const before = this.context.sink.newCount;
		const refs = this.freshShare > 0.5 ? await this.storeAll(data, offsets) : await this.storeNew(data, offsets);
		this.freshShare = (this.context.sink.newCount - before) / count;
		return refs;
	}

	/** An empty batch buffer. */
	take(): Uint8Array {
		return new Uint8Array(this.spare.pop() ?? new SharedArrayBuffer(batchBytes));
	}

	private release(buffer: ArrayBuffer | SharedArrayBuffer): void {
		if (buffer instanceof SharedArrayBuffer && buffer.byteLength === batchBytes && this.spare.length < 4) this.spare.push(buffer);
	}

	/** Encodes and compresses pieces into a payload buffer of ours; `done` hands it back once its bytes are in the pack writer. */
	private async compress(data: ArrayBuffer | SharedArrayBuffer, offsets: Uint32Array): Promise<EncodeResult> {
		const reuse = this.payloads.pop() ?? new SharedArrayBuffer(payloadBytes);
		try {
			return await this.context.pool.encode({data, offsets, baseHashes: undefined, detectZero: false, level: zstdLevel, reuse});
		} catch (error) {
			this.payloads.push(reuse);
			throw error;
		}
	}

	private done(encoded: EncodeResult): void {
		if (encoded.payload instanceof SharedArrayBuffer && encoded.payload.byteLength === payloadBytes && this.payloads.length < 4) this.payloads.push(encoded.payload);
	}

	/** Known to this backup or to the previous point (unless marked damaged): no catalog query. */
	private knownCheaply(hash: Buffer): ObjectRef | undefined {
		const {sink, previous} = this.context;
		const inPrevious = previous.get(hash.toString('hex'));
		return sink.known(hash) ?? (inPrevious === undefined || sink.needsCopy(inPrevious) ? undefined : inPrevious);
	}

	private async storeAll(data: Uint8Array, offsets: Uint32Array): Promise<ObjectRef[]> {
		const {sink} = this.context;
		const encoded = await this.compress(data.buffer, offsets);
		this.release(encoded.data);
		const payload = new Uint8Array(encoded.payload);
		const refs: ObjectRef[] = [];
		let at = 0;
		for (let position = 0; position < offsets.length - 1; position++) {
			const stored = payload.subarray(at, at + encoded.lengths[position]!);
			at += stored.length;
			const hash = hashAt(encoded, position);
			// sink.put looks the rest up in the catalog and writes only what the repository lacks.
			refs.push(this.knownCheaply(hash) ?? sink.put(hash, stored, offsets[position + 1]! - offsets[position]!, encoded.codecs[position]!));
		}

		this.done(encoded);
		await sink.writer.drain();
		return refs;
	}

	private async storeNew(data: Uint8Array, offsets: Uint32Array): Promise<ObjectRef[]> {
		const {pool, sink} = this.context;
		const hashed = await pool.encode({data: data.buffer, offsets, baseHashes: undefined, detectZero: false, level: hashOnly});
		const refs: Array<ObjectRef | undefined> = [];
		const fresh: number[] = [];
		for (let position = 0; position < offsets.length - 1; position++) {
			const hash = hashAt(hashed, position);
			const known = this.knownCheaply(hash) ?? sink.reusable(hash);
			refs.push(known);
			if (known === undefined) fresh.push(position);
		}

		if (fresh.length === 0) {
			this.release(hashed.data);
			return refs as ObjectRef[];
		}

		const returned = new Uint8Array(hashed.data);
		const pieceOffsets = new Uint32Array(fresh.length + 1);
		fresh.forEach((position, slot) => (pieceOffsets[slot + 1] = pieceOffsets[slot]! + offsets[position + 1]! - offsets[position]!));
		const pieces = new Uint8Array(pieceOffsets[fresh.length]!);
		fresh.forEach((position, slot) => pieces.set(returned.subarray(offsets[position]!, offsets[position + 1]!), pieceOffsets[slot]!));
		this.release(hashed.data);
		const encoded = await this.compress(pieces.buffer, pieceOffsets);
		const payload = new Uint8Array(encoded.payload);
		let at = 0;
		fresh.forEach((position, slot) => {
			const stored = payload.subarray(at, at + encoded.lengths[slot]!);
			at += stored.length;
			refs[position] = sink.put(hashAt(encoded, slot), stored, pieceOffsets[slot + 1]! - pieceOffsets[slot]!, encoded.codecs[slot]!);
		});
		this.done(encoded);
		await sink.writer.drain();
		return refs as ObjectRef[];
	}
}

/** Finds the cuts of `data[0, filled)` in slices, yielding between them; unless `final`, leaves the undecided tail. */
async function cutBatch(data: Uint8Array, filled: number, final: boolean): Promise<number[]> {
	const cuts: number[] = [];
	let position = 0;
	for (;;) {
		const end = Math.min(filled, position + sliceBytes);
		const last = end === filled;
		const found = findCuts(data, position, end, final && last);
		for (const cut of found) cuts.push(cut);
		if (found.length > 0) position = found.at(-1)!;
		if (last || found.length === 0) return cuts;
		await new Promise(resolve => setImmediate(resolve));
	}
}

/**
 * Reads a stream to its end and records the ordered chunk refs of its recipe in the sink. `expectNew` (no earlier
 * point of the item) starts in the one-pass way; it adapts to what each batch found.
 */
export async function captureStream(stream: Readable, context: CaptureContext, expectNew: boolean): Promise<StreamCapture> {
	const reader = new ReadAhead(stream, readAheadBytes, context.signal);
	const store = new BatchStore(context, expectNew);
	const batches: Array<Promise<ObjectRef[]>> = [];
	let batch = store.take();
	let filled = 0;
	let bytes = 0;
	let chunks = 0;
	// The oldest batch's refs, once stored, join the recipe: batches complete in any order, the recipe is in stream order.
	const record = async () => {
		const refs = await batches.shift()!;
		context.sink.recipe(refs);
		chunks += refs.length;
	};
	try {
		for (;;) {
			const before = filled;
			filled = await reader.fill(batch, filled);
			bytes += filled - before;
			context.onBytes(filled - before);
			const final = reader.done;
			const cuts = await cutBatch(batch, filled, final);
			const end = cuts.at(-1) ?? 0;
			// The undecided tail starts the next batch; copied before this batch's buffer is handed to a worker.
			const next = store.take();
			next.set(batch.subarray(end, filled));
			if (cuts.length > 0) {
				const offsets = new Uint32Array(cuts.length + 1);
				offsets.set(cuts, 1);
				const stored = store.store(batch, offsets);
				// Marked handled here; a failure still surfaces when the batches are joined.
				stored.catch(() => undefined);
				batches.push(stored);
			}

			batch = next;
			filled -= end;
			if (final) break;
			if (batches.length > maxPendingBatches) await record();
		}

		while (batches.length > 0) await record();
		return {chunks, bytes};
	} finally {
		await Promise.allSettled(batches);
	}
}
