/**
 * Turning a dump stream into a recipe: content-defined chunks are hashed in the codec pool, looked up, and only
 * chunks the repository lacks are compressed and written. Batches are processed in stream order.
 */
import type {Readable} from 'node:stream';
import {findCuts} from '../../chunkers/index.js';
import type {ObjectRef} from '../../catalog/points.js';
import {ObjectIndex} from '../../catalog/objects.js';
import type {ObjectSink} from '../../jobs/object-sink.js';
import {type CodecPool, type EncodeResult, hashLength} from '../../store/index.js';
import {throwIfAborted} from '../../jobs/abort.js';

const batchBytes = 4 * 1024 * 1024;
const zstdLevel = 1;

export type StreamCapture = {recipe: ObjectRef[]; bytes: number};

type Batch = {data: Uint8Array; offsets: Uint32Array; hashed: Promise<EncodeResult>};

/** Hashes a batch, then compresses and stores only the chunks the repository lacks; returns its refs in order. */
async function storeBatch(batch: Batch, pool: CodecPool, sink: ObjectSink, index: ObjectIndex): Promise<ObjectRef[]> {
	const hashed = await batch.hashed;
	const data = new Uint8Array(hashed.data);
	const count = batch.offsets.length - 1;
	const refs: Array<ObjectRef | undefined> = [];
	const fresh: number[] = [];
	for (let position = 0; position < count; position++) {
		const hash = Buffer.from(hashed.hashes.buffer, hashed.hashes.byteOffset + position * hashLength, hashLength);
		const known = sink.known(hash) ?? index.idOf(hash);
		refs.push(known);
		if (known === undefined) fresh.push(position);
	}

	if (fresh.length > 0) {
		// Only chunks the repository lacks are compressed: most of an incremental dump is already stored.
		const total = fresh.reduce((sum, position) => sum + batch.offsets[position + 1]! - batch.offsets[position]!, 0);
		const pieces = new Uint8Array(total);
		const offsets = new Uint32Array(fresh.length + 1);
		fresh.forEach((position, slot) => {
			const piece = data.subarray(batch.offsets[position]!, batch.offsets[position + 1]!);
			pieces.set(piece, offsets[slot]!);
			offsets[slot + 1] = offsets[slot]! + piece.length;
		});
		const encoded = await pool.encode({data: pieces.buffer, offsets, baseHashes: undefined, detectZero: false, level: zstdLevel});
		const payload = new Uint8Array(encoded.payload);
		let payloadOffset = 0;
		fresh.forEach((position, slot) => {
			const stored = payload.subarray(payloadOffset, payloadOffset + encoded.lengths[slot]!);
			payloadOffset += stored.length;
			const hash = Buffer.from(encoded.hashes.buffer, encoded.hashes.byteOffset + slot * hashLength, hashLength);
			refs[position] = sink.put(hash, stored, offsets[slot + 1]! - offsets[slot]!, encoded.codecs[slot]!);
		});
	}

	return refs as ObjectRef[];
}

/** Reads a stream to its end and returns the ordered chunk refs of its recipe. */
export async function captureStream(stream: Readable, context: {pool: CodecPool; sink: ObjectSink; index: ObjectIndex; signal: AbortSignal | undefined; onBytes(bytes: number): void}): Promise<StreamCapture> {
	const {pool, sink} = context;
	// Batches are stored concurrently (both workers busy, pg_dump never waiting on a round trip); their refs are
	// joined in stream order at the end. Reading pauses while too many batches are pending, so memory stays bounded.
	const batches: Array<Promise<ObjectRef[]>> = [];
	const maxPending = 8;
	let bytes = 0;

	const send = async (data: Uint8Array, cuts: number[]) => {
		const offsets = new Uint32Array(cuts.length + 1);
		cuts.forEach((cut, position) => (offsets[position + 1] = cut));
		// A copy of its own (Buffer#slice would share memory): this buffer is handed over to a worker.
		const copy = new Uint8Array(cuts.at(-1)!);
		copy.set(data.subarray(0, copy.length));
		const stored = storeBatch({data: copy, offsets, hashed: pool.encode({data: copy.buffer, offsets, baseHashes: undefined, detectZero: false, level: -1})}, pool, sink, context.index);
		// Marked handled here; a failure still surfaces when the batches are joined.
		stored.catch(() => undefined);
		batches.push(stored);
		if (batches.length > maxPending) await batches[batches.length - maxPending - 1];
	};

	let pending = Buffer.alloc(0);
	const drain = async (final: boolean) => {
		const cuts = findCuts(pending, 0, pending.length, final);
		if (cuts.length > 0) {
			await send(pending, cuts);
			pending = pending.subarray(cuts.at(-1));
		}
	};

	try {
		const parts: Buffer[] = [];
		let partBytes = 0;
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			throwIfAborted(context.signal);
			parts.push(chunk);
			partBytes += chunk.length;
			bytes += chunk.length;
			context.onBytes(chunk.length);
			if (partBytes >= batchBytes) {
				pending = Buffer.concat([pending, ...parts]);
				parts.length = 0;
				partBytes = 0;
				await drain(false);
			}
		}

		pending = Buffer.concat([pending, ...parts]);
		await drain(true);
		const recipe = (await Promise.all(batches)).flat();
		return {recipe, bytes};
	} finally {
		await Promise.allSettled(batches);
	}
}
