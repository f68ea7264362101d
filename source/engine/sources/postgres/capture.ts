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
const sliceBytes = 256 * 1024;
const readAheadBytes = 64 * 1024 * 1024;
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
	// Chunking works in slices and yields between them, so the event loop keeps reading pg_dump's pipe meanwhile:
	// pg_dump runs ahead (up to `readAheadBytes`) instead of waiting whenever the chunker is busy.
	const drain = async (final: boolean) => {
		let position = 0;
		let sent = 0;
		let found: number[] = [];
		const flush = async () => {
			await send(pending.subarray(sent), found.map(cut => cut - sent));
			sent = position;
			found = [];
		};

		while (position < pending.length) {
			const end = Math.min(pending.length, position + sliceBytes);
			const last = end === pending.length;
			const cuts = findCuts(pending, position, end, final && last);
			found.push(...cuts);
			if (cuts.length > 0) position = cuts.at(-1)!;
			if (cuts.length === 0 || last) break;
			if (position - sent >= batchBytes) await flush();
			await new Promise(resolve => setImmediate(resolve));
		}

		if (found.length > 0) await flush();
		pending = pending.subarray(position);
	};

	try {
		const queue: Buffer[] = [];
		let queued = 0;
		let ended = false;
		let failure: Error | undefined;
		let wake: (() => void) | undefined;
		const notify = () => {
			wake?.();
			wake = undefined;
		};

		stream.on('data', (chunk: Buffer) => {
			queue.push(chunk);
			queued += chunk.length;
			if (queued > readAheadBytes) stream.pause();
			notify();
		});
		stream.once('end', () => {
			ended = true;
			notify();
		});
		stream.once('error', error => {
			failure = error;
			notify();
		});
		for (;;) {
			throwIfAborted(context.signal);
			if (failure) throw failure;
			if (queued < batchBytes && !ended) {
				await new Promise<void>(resolve => (wake = resolve));
				continue;
			}

			const parts = queue.splice(0);
			const size = queued;
			queued = 0;
			if (stream.isPaused()) stream.resume();
			bytes += size;
			context.onBytes(size);
			pending = Buffer.concat([pending, ...parts]);
			if (ended) break;
			await drain(false);
		}

		await drain(true);
		const recipe = (await Promise.all(batches)).flat();
		return {recipe, bytes};
	} finally {
		await Promise.allSettled(batches);
	}
}
