/**
 * Worker thread for the CPU-bound half of the data path: hashing, zero detection and zstd compression of new
 * blocks or chunks, and on restore decompression with a hash check. zstd-napi is synchronous, so it runs here.
 */
import {parentPort} from 'node:worker_threads';
// The low-level binding compresses into and decompresses out of buffers we own: no allocation per block.
import zstd from 'zstd-napi/binding.js';
import type {DecodeRequest, DecodeResult, DecodeTarget, EncodeRequest, EncodeResult, WorkerRequest} from './codec-protocol.js';
import {BlockKind, transferable} from './codec-protocol.js';
import {blockOffsets} from '../chunkers/fixed-blocks.js';
import {directReadBuffer, readExtents, readFully} from './direct-read.js';
import {writeFullyInBackground} from './file-writes.js';

const {CCtx, CParameter, compressBound, DCtx} = zstd;
import {Codec, contentHash, hashLength} from './format.js';
import {PackReader} from './pack-reader.js';

const compressors = new Map<number, InstanceType<typeof CCtx>>();
const decompressor = new DCtx();

function compressorFor(level: number): InstanceType<typeof CCtx> {
	let compressor = compressors.get(level);
	if (!compressor) {
		compressor = new CCtx();
		compressor.setParameter(CParameter.compressionLevel, level);
		compressors.set(level, compressor);
	}

	return compressor;
}

let zeros = Buffer.alloc(0);
/** All-zero check by memcmp against a zero buffer: far faster than a JavaScript loop. */
function isZero(data: Uint8Array): boolean {
	if (zeros.length < data.length) zeros = Buffer.alloc(data.length);
	return Buffer.compare(data, zeros.subarray(0, data.length)) === 0;
}

const seen = new Uint8Array(256);
const sampleCount = 512;
/** Random (already compressed or encrypted) data shows nearly every byte value in a sparse sample; text and code far fewer. */
export const randomDistinctThreshold = 200;

/** A cheap look at a piece: true when it is almost surely incompressible, so zstd is not even tried. */
function looksRandom(piece: Uint8Array): boolean {
	if (piece.length < sampleCount * 4) return false;
	seen.fill(0);
	let distinct = 0;
	const step = Math.floor(piece.length / sampleCount);
	for (let index = 0; index < piece.length; index += step) {
		const value = piece[index]!;
		if (seen[value] === 0) {
			seen[value] = 1;
			distinct++;
		}
	}

	return distinct >= randomDistinctThreshold;
}

/** This worker's buffer for data it reads itself: reused for every request, never transferred. */
let readBuffer = new Uint8Array(0);
/** The same for direct reads: a view aligned for the device it was found for (a device may ask more than another). */
let direct: {fd: number; view: Uint8Array} | undefined;

function readInto(from: NonNullable<EncodeRequest['readFrom']>): {buffer: Uint8Array; filled: number; read: number} {
	if (!from.direct) {
		if (readBuffer.length < from.length) readBuffer = new Uint8Array(from.length);
		// A sparse file: its holes are zeros, not read (see holes.ts).
		if (from.extents) return {buffer: readBuffer, ...readExtents(from.fd, readBuffer, from.length, from.position, from.extents)};
		const filled = readFully(from.fd, readBuffer, from.length, from.position);
		return {buffer: readBuffer, filled, read: filled};
	}

	for (let attempt = 1; ; attempt++) {
		if (!direct || direct.fd !== from.fd || direct.view.length < from.length) direct = {fd: from.fd, view: directReadBuffer(from.fd, from.length)};
		try {
			const filled = readFully(from.fd, direct.view, from.length, from.position);
			return {buffer: direct.view, filled, read: filled};
		} catch (error) {
			// A descriptor number reused for another device may need another alignment: find it once more.
			if ((error as NodeJS.ErrnoException).code !== 'EINVAL' || attempt > 1) throw error;
			direct = undefined;
		}
	}
}

/** Reads a batch of fixed-size blocks from a file into the worker's own buffer; returns the data and block boundaries. */
function readBatch(from: NonNullable<EncodeRequest['readFrom']>): {data: Uint8Array; offsets: Uint32Array; read: number} {
	const {buffer, filled, read} = readInto(from);
	return {data: buffer.subarray(0, filled), offsets: blockOffsets(filled, from.blockSize), read};
}

function encode(request: EncodeRequest): EncodeResult {
	const read = request.readFrom ? readBatch(request.readFrom) : undefined;
	const data = read ? read.data : new Uint8Array(request.data!);
	const offsets = read ? read.offsets : request.offsets;
	const count = offsets.length - 1;
	const hashes = new Uint8Array(count * hashLength);
	const kinds = new Uint8Array(count);
	const codecs = new Uint8Array(count);
	const lengths = new Uint32Array(count);
	const compress = request.level > 0;
	let bound = 0;
	if (request.level >= 0) for (let index = 0; index < count; index++) bound += compressBound(offsets[index + 1]! - offsets[index]!);
	// Its own memory (never Node's shared pool: it is transferred); pages past what is written are never touched.
	const payload = request.reuse && request.reuse.byteLength >= bound ? Buffer.from(request.reuse) : Buffer.allocUnsafeSlow(bound);
	let total = 0;
	const compressor = compress ? compressorFor(request.level) : undefined;
	for (let index = 0; index < count; index++) {
		const piece = data.subarray(offsets[index]!, offsets[index + 1]!);
		if (request.detectZero && isZero(piece)) {
			kinds[index] = BlockKind.Zero;
			continue;
		}

		const hash = contentHash(piece);
		hashes.set(hash, index * hashLength);
		const base = request.baseHashes;
		if (base && Buffer.compare(hash, base.subarray(index * hashLength, (index + 1) * hashLength)) === 0) {
			kinds[index] = BlockKind.Unchanged;
			continue;
		}

		kinds[index] = BlockKind.New;
		if (request.level < 0) continue;
		const compressed = compressor && !looksRandom(piece) ? compressor.compress2(payload.subarray(total), piece) : piece.length;
		if (compressed < piece.length) {
			codecs[index] = Codec.Zstd;
			lengths[index] = compressed;
		} else {
			payload.set(piece, total);
			codecs[index] = Codec.Raw;
			lengths[index] = piece.length;
		}

		total += lengths[index]!;
	}

	if (read) return {hashes, kinds, codecs, lengths, payload: payload.buffer, data: new ArrayBuffer(0), filled: read.data.length, offsets, readBytes: read.read};
	return {hashes, kinds, codecs, lengths, payload: payload.buffer, data: request.data!};
}

/**
 * Output buffers kept by this worker for writing restored data. A buffer is busy while its write runs in the
 * background, so the next batch decodes into another one meanwhile.
 */
const freeWriteBuffers: Buffer[] = [];

// Node has WebAssembly; the project's TypeScript library settings (no DOM) do not declare it.
const wasm = (globalThis as unknown as {WebAssembly: {Memory: new (size: {initial: number; maximum: number}) => {buffer: ArrayBuffer}}}).WebAssembly;

/** Output buffers that start at a page boundary, as direct writes need. */
const pageAligned = new WeakSet<Buffer>();

/**
 * A free output buffer of at least `rawTotal` bytes, page-aligned when it can be: the memory of a WebAssembly.Memory
 * is mapped pages of its own (JavaScript cannot ask an ArrayBuffer for an alignment), touched only as far as used.
 * V8 reserves address space for each (about 10 GiB, never committed), which a limit on it (ulimit -v) may refuse:
 * the buffer is then an ordinary one, written through the page cache.
 */
function outputFor(rawTotal: number): Buffer {
	const free = freeWriteBuffers.findIndex(buffer => buffer.length >= rawTotal);
	if (free >= 0) return freeWriteBuffers.splice(free, 1)[0]!;
	const pages = Math.max(1, Math.ceil(rawTotal / 65_536));
	try {
		const buffer = Buffer.from(new wasm.Memory({initial: pages, maximum: pages}).buffer, 0, rawTotal);
		pageAligned.add(buffer);
		return buffer;
	} catch {
		return Buffer.allocUnsafeSlow(rawTotal);
	}
}

/** Direct writes go in whole sectors at sector offsets: 4 KiB covers devices of 512-byte and of 4 KiB sectors. */
const sectorBytes = 4096;

/**
 * Writes the decoded objects at their positions, consecutive ones in one write, on libuv's thread pool, so this
 * worker decodes the next batch while the disk takes this one. Aligned runs go to the direct descriptor when there
 * is one (no copy into the page cache: on this project's 2-core VM that copy took as much CPU as the hash checks);
 * the rest, or a direct write the file system refuses (EINVAL), goes through the page cache.
 */
async function writeDecoded(output: Buffer, rawLengths: Uint32Array, target: DecodeTarget): Promise<void> {
	let offset = 0;
	for (let first = 0; first < rawLengths.length; ) {
		let end = first + 1;
		let length = rawLengths[first]!;
		const position = target.positions[first]!;
		while (end < rawLengths.length && target.positions[end] === position + length) length += rawLengths[end++]!;
		const aligned = pageAligned.has(output) && (position % sectorBytes) + (length % sectorBytes) + (offset % sectorBytes) === 0;
		if (target.directFd === undefined || !aligned) await writeFullyInBackground(target.fd, output, length, position, offset);
		else {
			try {
				await writeFullyInBackground(target.directFd, output, length, position, offset);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
				await writeFullyInBackground(target.fd, output, length, position, offset);
			}
		}

		offset += length;
		first = end;
	}
}

/**
 * Pack readers kept between decode requests, so a pack is opened once per restore and worker rather than once per
 * batch (a 1 GiB restore from cold caches spent ~0.1 s per worker in open). The pool's `release` closes them: file
 * descriptors belong to the process, not to this thread.
 */
const readers = new Map<string, PackReader>();

function readerFor(packsDir: string): PackReader {
	let reader = readers.get(packsDir);
	if (!reader) {
		reader = new PackReader(packsDir);
		readers.set(packsDir, reader);
	}

	return reader;
}

function release(): DecodeResult {
	for (const reader of readers.values()) reader.close();
	readers.clear();
	return {data: new ArrayBuffer(0), damaged: []};
}

async function decode(request: DecodeRequest): Promise<DecodeResult> {
	let input: Uint8Array;
	if (request.readFrom) {
		const {packsDir, packNames, packs, offsets} = request.readFrom;
		const locations = Array.from(offsets, (offset, index) => ({packName: packNames[packs[index]!]!, offset, storedLength: request.storedLengths[index]!}));
		const read = await readerFor(packsDir).readMany(locations);
		if ('failed' in read) return {data: new ArrayBuffer(0), damaged: [], unreadable: locations.indexOf(read.failed)};
		input = read.payload;
	} else {
		input = new Uint8Array(request.payload!);
	}

	const count = request.codecs.length;
	const rawTotal = request.rawLengths.reduce((sum, length) => sum + length, 0);
	const writeBuffer = request.writeTo ? outputFor(rawTotal) : undefined;
	const output = writeBuffer ?? new Uint8Array(rawTotal);
	const damaged: number[] = [];
	let inOffset = 0;
	let outOffset = 0;
	for (let index = 0; index < count; index++) {
		const stored = input.subarray(inOffset, inOffset + request.storedLengths[index]!);
		inOffset += stored.length;
		const rawLength = request.rawLengths[index]!;
		const raw = output.subarray(outOffset, outOffset + rawLength);
		let length: number;
		if (request.codecs[index] === Codec.Zstd) {
			try {
				length = decompressor.decompress(raw, stored);
			} catch {
				length = -1;
			}
		} else {
			length = stored.length;
			if (length === rawLength) raw.set(stored);
		}

		const expected = request.hashes.subarray(index * hashLength, (index + 1) * hashLength);
		if (length !== rawLength || Buffer.compare(contentHash(raw), expected) !== 0) {
			damaged.push(index);
			raw.fill(0);
		}

		outOffset += rawLength;
	}

	if (!request.writeTo) return {data: output.buffer as ArrayBuffer, damaged};
	try {
		if (damaged.length === 0) await writeDecoded(output as Buffer, request.rawLengths, request.writeTo);
	} finally {
		freeWriteBuffers.push(writeBuffer!);
	}

	return {data: new ArrayBuffer(0), damaged};
}

// Decoding for a restore is asynchronous (its write runs in the background): a second request may start meanwhile.
parentPort!.on('message', async (message: {id: number; request: WorkerRequest}) => {
	try {
		const {request} = message;
		const result = request.op === 'encode' ? encode(request) : request.op === 'decode' ? await decode(request) : release();
		const transfer = transferable('payload' in result ? [result.payload, result.hashes.buffer, result.data, result.offsets?.buffer] : [result.data]);
		parentPort!.postMessage({id: message.id, result}, transfer);
	} catch (error) {
		// A system error (ENOSPC writing a restore, say) keeps its code, so the caller can say what went wrong.
		parentPort!.postMessage({id: message.id, error: error instanceof Error ? error.message : String(error), code: (error as NodeJS.ErrnoException).code});
	}
});
