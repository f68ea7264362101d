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
const zstdLevel = 3;

export type StreamCapture = {recipe: ObjectRef[]; bytes: number};

type Batch = {data: Uint8Array; offsets: Uint32Array; hashed: Promise<EncodeResult>};

/** Reads a stream to its end and returns the ordered chunk refs of its recipe. */
export async function captureStream(stream: Readable, context: {pool: CodecPool; sink: ObjectSink; index: ObjectIndex; signal: AbortSignal | undefined; onBytes(bytes: number): void}): Promise<StreamCapture> {
	const {pool, sink} = context;
	const recipe: ObjectRef[] = [];
	const inFlight: Batch[] = [];
	let bytes = 0;

	const settle = async () => {
		const batch = inFlight.shift()!;
		const hashed = await batch.hashed;
		const data = new Uint8Array(hashed.data);
		const count = batch.offsets.length - 1;
		const refs: Array<ObjectRef | undefined> = [];
		const fresh: number[] = [];
		for (let index = 0; index < count; index++) {
			const hash = Buffer.from(hashed.hashes.buffer, hashed.hashes.byteOffset + index * hashLength, hashLength);
			const known = sink.known(hash) ?? context.index.idOf(hash);
			refs.push(known);
			if (known === undefined) fresh.push(index);
		}

		if (fresh.length > 0) {
			// Only chunks the repository lacks are compressed: most of an incremental dump is already stored.
			const total = fresh.reduce((sum, index) => sum + batch.offsets[index + 1]! - batch.offsets[index]!, 0);
			const pieces = new Uint8Array(total);
			const offsets = new Uint32Array(fresh.length + 1);
			fresh.forEach((index, position) => {
				const piece = data.subarray(batch.offsets[index]!, batch.offsets[index + 1]!);
				pieces.set(piece, offsets[position]!);
				offsets[position + 1] = offsets[position]! + piece.length;
			});
			const encoded = await pool.encode({data: pieces.buffer, offsets, baseHashes: undefined, detectZero: false, level: zstdLevel});
			const payload = new Uint8Array(encoded.payload);
			let payloadOffset = 0;
			fresh.forEach((index, position) => {
				const stored = payload.subarray(payloadOffset, payloadOffset + encoded.lengths[position]!);
				payloadOffset += stored.length;
				const hash = Buffer.from(encoded.hashes.buffer, encoded.hashes.byteOffset + position * hashLength, hashLength);
				refs[index] = sink.put(hash, stored, offsets[position + 1]! - offsets[position]!, encoded.codecs[position]!);
			});
		}

		for (const ref of refs) recipe.push(ref!);
	};

	const send = (data: Uint8Array, cuts: number[]) => {
		const offsets = new Uint32Array(cuts.length + 1);
		cuts.forEach((cut, index) => (offsets[index + 1] = cut));
		// A copy of its own (Buffer#slice would share memory): this buffer is handed over to a worker.
		const copy = new Uint8Array(cuts.at(-1)!);
		copy.set(data.subarray(0, copy.length));
		inFlight.push({data: copy, offsets, hashed: pool.encode({data: copy.buffer, offsets, baseHashes: undefined, detectZero: false, level: -1})});
	};

	// Settling runs as a chain beside the reading, so pg_dump is never left waiting on a worker round trip;
	// reading pauses only when too many batches are pending (memory stays bounded).
	let settled: Promise<void> = Promise.resolve();
	let queued = 0;
	const maxQueued = 16;
	let pending = Buffer.alloc(0);
	const drain = async (final: boolean) => {
		const cuts = findCuts(pending, 0, pending.length, final);
		if (cuts.length > 0) {
			send(pending, cuts);
			pending = pending.subarray(cuts.at(-1));
			queued++;
			settled = settled.then(async () => {
				await settle();
				queued--;
			});
			// Marked handled here; the read loop still sees a failure when it next awaits the chain.
			settled.catch(() => undefined);
			if (queued >= maxQueued) await settled;
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
		await settled;
	} finally {
		await settled.catch(() => undefined);
		await Promise.allSettled(inFlight.map(batch => batch.hashed));
	}

	return {recipe, bytes};
}
