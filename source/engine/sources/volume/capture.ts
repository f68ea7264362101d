/**
 * Reading one disk for a backup: large sequential reads, hashing and compression in the codec pool with several
 * batches in flight, and a block-map entry for every block that differs from the base. A regular file's holes
 * (holes.ts) are never read: batches wholly in a hole are zero blocks without going to a worker, and a batch partly
 * in one reads only its data.
 */
import {closeSync, fstatSync} from 'node:fs';
import {blockCount, blocksPerBatch} from '../../chunkers/index.js';
import type {BlockMapReader, DiskCapture, ObjectRef} from '../../catalog/points.js';
import {throwIfAborted} from '../../abort.js';
import type {ObjectSink} from '../object-sink.js';
import {BlockKind, type CodecPool, DataExtents, type EncodeRequest, type EncodeResult, hashLength} from '../../store/index.js';
import {openSource} from './source-state.js';

/** 2 MiB per batch and two batches per worker in flight: as fast as 4 MiB here, with 25 MiB less resident memory (measured). */
export const batchBytes = 2 * 1024 * 1024;
export const zstdLevel = 1;
const noOffsets = new Uint32Array(0);

export type CaptureOptions = {
	diskId: number;
	path: string;
	itemName: string;
	isBlockDevice: boolean;
	/** Open a block device with O_EXCL: refuse it while mounted or held (see openSource). */
	exclusive: boolean;
	blockSize: number;
	/** The point this one is stored against (incremental: the previous; differential: the last full). */
	base: BlockMapReader | undefined;
	/** The previous point, for counting what changed since then (differs from base only for differentials). */
	previous: BlockMapReader | undefined;
	pool: CodecPool;
	sink: ObjectSink;
	signal: AbortSignal | undefined;
	onBytes(bytes: number): void;
};

function sameHash(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
	return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

/**
 * Frees a result's arrays now rather than at the next full collection: detached (moved into a copy nobody keeps), they
 * go with the next minor one. Results that lived through two minor collections while in flight were promoted, and
 * their buffers, a few KiB a batch, stayed until a full one: an unchanged incremental of 4 GiB peaked 8-9 MiB higher
 * than one of 256 MiB for that alone (measured).
 */
function release(result: EncodeResult): void {
	for (const array of [result.hashes, result.kinds, result.codecs, result.lengths, result.offsets]) {
		if (array?.buffer instanceof ArrayBuffer && array.buffer.byteLength > 0) structuredClone(array.buffer, {transfer: [array.buffer]});
	}
}

/** What one disk's read gives: its figures, and the bytes actually read from it (holes are not). */
export type DiskRead = DiskCapture & {readBytes: number};

/**
 * Records `bytes` from block `first` on, lying in a hole, as zero blocks, exactly as if they had been read: a
 * tombstone where the base had data, changed where the previous point had data, nothing else.
 */
function recordHole(capture: DiskRead, sink: ObjectSink, diskId: number, run: {first: number; bytes: number; blockSize: number; base: BlockMapReader | undefined; previous: BlockMapReader | undefined}): void {
	const {first, bytes, blockSize, base, previous} = run;
	capture.size += bytes;
	const end = first + blockCount(bytes, blockSize);
	const lastLength = bytes - (end - 1 - first) * blockSize;
	const tombstone = (index: number) => sink.entry(diskId, index, 0);
	const changed = (index: number) => {
		capture.changedBlocks++;
		capture.changedBytes += index === end - 1 ? lastLength : blockSize;
	};
	// An incremental's base is its previous point: one pass for both.
	if (base && base === previous) {
		base.forEachStored(first, end, index => {
			tombstone(index);
			changed(index);
		});
		return;
	}

	base?.forEachStored(first, end, tombstone);
	previous?.forEachStored(first, end, changed);
}

/** A batch handed to a worker, or a run of whole batches lying in a hole (`holeBytes` long: zeros, never read). */
type Pending = {first: number; result: Promise<EncodeResult>} | {first: number; holeBytes: number};

/** Reads a disk once; its block-map entries against the base go to the sink. */
export async function captureDisk(options: CaptureOptions): Promise<DiskRead> {
	const {blockSize, base, previous, pool, sink} = options;
	const blocksInBatch = blocksPerBatch(batchBytes, blockSize);
	const source = openSource(options.path, {isBlockDevice: options.isBlockDevice, exclusive: options.exclusive, itemName: options.itemName});
	const capture: DiskRead = {diskId: options.diskId, size: 0, changedBlocks: 0, changedBytes: 0, usedBytes: 0, readBytes: 0};
	// A regular file's size is known, and its holes can be asked for; a block device is read until a batch comes back short.
	const extents = options.isBlockDevice ? undefined : new DataExtents(source.fd, fstatSync(source.fd).size);
	const inFlight: Pending[] = [];
	const maxInFlight = pool.size * 2;
	// Payload buffers come back with each result and go out again once their bytes are in a pack: a backup's memory
	// stays flat, whatever the volume's size.
	const payloads: Array<ArrayBuffer | SharedArrayBuffer> = [];
	// Set by the first batch that came back short: the end of the disk.
	let ended = false;

	const settle = async () => {
		const batch = inFlight.shift()!;
		if ('holeBytes' in batch) {
			if (ended) return;
			recordHole(capture, sink, options.diskId, {first: batch.first, bytes: batch.holeBytes, blockSize, base, previous});
			options.onBytes(batch.holeBytes);
			return;
		}

		const result = await batch.result;
		const offsets = result.offsets!;
		const filled = result.filled!;
		capture.readBytes += result.readBytes ?? filled;
		// Batches sent past the end (the disk's size was not known up front) read nothing.
		if (ended) return release(result);
		if (filled < batchLength) ended = true;
		capture.size += filled;
		options.onBytes(filled);
		let payloadOffset = 0;
		const payload = new Uint8Array(result.payload);
		for (let local = 0; local < offsets.length - 1; local++) {
			const index = batch.first + local;
			const length = offsets[local + 1]! - offsets[local]!;
			const kind = result.kinds[local] as BlockKind;
			if (kind !== BlockKind.Zero) capture.usedBytes += length;
			const hash = Buffer.from(result.hashes.buffer, result.hashes.byteOffset + local * hashLength, hashLength);
			const inBase = base !== undefined && base.objectId(index) !== 0;
			const inPrevious = previous !== undefined && previous.objectId(index) !== 0;
			let ref: ObjectRef | undefined;
			if (kind === BlockKind.New) {
				const stored = payload.subarray(payloadOffset, payloadOffset + result.lengths[local]!);
				payloadOffset += stored.length;
				ref = sink.put(hash, stored, length, result.codecs[local]!);
				// A damaged object of the base stored again keeps its id: the base's entry already names it.
				if (inBase && ref === base.objectId(index)) ref = undefined;
			} else if (kind === BlockKind.Zero && inBase) {
				ref = 0;
			}

			if (ref !== undefined) sink.entry(options.diskId, index, ref);
			const changed = kind === BlockKind.Zero ? inPrevious : !sameHash(hash, previous?.hashAt(index)) || !inPrevious;
			if (changed) {
				capture.changedBlocks++;
				capture.changedBytes += length;
			}
		}

		// Its bytes are all in the pack writer now.
		payloads.push(result.payload);
		release(result);
		// The pack writer writes in the background; wait here when the disk falls behind, so memory stays bounded.
		await sink.writer.drain();
	};

	const batchLength = blocksInBatch * blockSize;
	const scratchHashes = new Uint8Array(blocksInBatch * hashLength);
	let index = 0;
	try {
		// The workers read the disk themselves, each batch at its own offset (block devices report no size, so batches
		// go out until one comes back short): the main thread only hands out batches and records what came back.
		for (let position = 0; !ended; ) {
			throwIfAborted(options.signal);
			const readFrom: NonNullable<EncodeRequest['readFrom']> = {fd: source.fd, position, length: batchLength, blockSize, direct: source.direct};
			if (extents) {
				if (position >= extents.size) break;
				readFrom.length = Math.min(batchLength, extents.size - position);
				const data = extents.within(position, position + readFrom.length);
				if (data.length === 0) {
					// In a hole: every whole batch up to the next data (or the end) at once, in order with the batches in flight.
					const next = extents.nextData(position);
					const holeEnd = next >= extents.size ? extents.size : position + Math.floor((next - position) / batchLength) * batchLength;
					inFlight.push({first: index, holeBytes: holeEnd - position});
					index += blockCount(holeEnd - position, blockSize);
					position = holeEnd;
					if (inFlight.length >= maxInFlight) await settle();
					continue;
				}

				// Partly in a hole: read the data only.
				if (data.length > 2 || data[0] !== 0 || data[1] !== readFrom.length) readFrom.extents = data;
			}

			let baseHashes: Uint8Array | undefined;
			if (base?.withHashes) {
				// One buffer for every batch: the request copies it when it is sent.
				baseHashes = scratchHashes.fill(0);
				base.copyHashes(baseHashes, index, blocksInBatch);
			}

			inFlight.push({
				first: index,
				result: pool.encode({
					data: undefined,
					offsets: noOffsets,
					readFrom,
					baseHashes,
					detectZero: true,
					level: zstdLevel,
					reuse: payloads.pop(),
				}),
			});
			index += blocksInBatch;
			position += batchLength;
			if (inFlight.length >= maxInFlight) await settle();
		}

		while (inFlight.length > 0) await settle();
		index = blockCount(capture.size, blockSize);
		// A disk that shrank: blocks past its new end that had data in the base must not resolve through the chain.
		if (base) {
			for (let block = index; block < base.blockCount; block++) {
				if (base.objectId(block) !== 0) sink.entry(options.diskId, block, 0);
			}
		}
	} finally {
		// Let batches already handed to the pool finish before the caller discards packs.
		await Promise.allSettled(inFlight.map(batch => ('result' in batch ? batch.result : undefined)));
		closeSync(source.fd);
	}

	return capture;
}
