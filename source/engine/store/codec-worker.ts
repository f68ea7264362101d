/**
 * Worker thread for the CPU-bound half of the data path: hashing, zero detection and zstd compression of new
 * blocks or chunks, and on restore decompression with a hash check. zstd-napi is synchronous, so it runs here.
 */
import {parentPort} from 'node:worker_threads';
import {Compressor, Decompressor} from 'zstd-napi';
import type {DecodeRequest, DecodeResult, EncodeRequest, EncodeResult, WorkerRequest} from './codec-protocol.js';
import {BlockKind} from './codec-protocol.js';
import {Codec, contentHash, hashLength} from './format.js';

const compressors = new Map<number, Compressor>();
const decompressor = new Decompressor();

function compressorFor(level: number): Compressor {
	let compressor = compressors.get(level);
	if (!compressor) {
		compressor = new Compressor();
		compressor.setParameters({compressionLevel: level});
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

function encode(request: EncodeRequest): EncodeResult {
	const data = new Uint8Array(request.data);
	const count = request.offsets.length - 1;
	const hashes = new Uint8Array(count * hashLength);
	const kinds = new Uint8Array(count);
	const codecs = new Uint8Array(count);
	const lengths = new Uint32Array(count);
	const pieces: Uint8Array[] = [];
	let total = 0;
	const compressor = compressorFor(request.level);
	for (let index = 0; index < count; index++) {
		const piece = data.subarray(request.offsets[index]!, request.offsets[index + 1]!);
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
		const compressed = request.level > 0 && !looksRandom(piece) ? compressor.compress(piece) : undefined;
		const stored = compressed && compressed.length < piece.length ? compressed : piece;
		codecs[index] = stored === piece ? Codec.Raw : Codec.Zstd;
		lengths[index] = stored.length;
		pieces.push(stored);
		total += stored.length;
	}

	const payload = new Uint8Array(total);
	let offset = 0;
	for (const piece of pieces) {
		payload.set(piece, offset);
		offset += piece.length;
	}

	return {hashes, kinds, codecs, lengths, payload: payload.buffer, data: request.data};
}

function decode(request: DecodeRequest): DecodeResult {
	const input = new Uint8Array(request.payload);
	const count = request.codecs.length;
	const rawTotal = request.rawLengths.reduce((sum, length) => sum + length, 0);
	const output = new Uint8Array(rawTotal);
	const damaged: number[] = [];
	let inOffset = 0;
	let outOffset = 0;
	for (let index = 0; index < count; index++) {
		const stored = input.subarray(inOffset, inOffset + request.storedLengths[index]!);
		inOffset += stored.length;
		const rawLength = request.rawLengths[index]!;
		let raw: Uint8Array;
		try {
			raw = request.codecs[index] === Codec.Zstd ? decompressor.decompress(stored) : stored;
		} catch {
			raw = new Uint8Array(0);
		}

		const expected = request.hashes.subarray(index * hashLength, (index + 1) * hashLength);
		if (raw.length !== rawLength || Buffer.compare(contentHash(raw), expected) !== 0) {
			damaged.push(index);
		} else {
			output.set(raw, outOffset);
		}

		outOffset += rawLength;
	}

	return {data: output.buffer, damaged};
}

parentPort!.on('message', (message: {id: number; request: WorkerRequest}) => {
	try {
		const result = message.request.op === 'encode' ? encode(message.request) : decode(message.request);
		const transfer = 'payload' in result ? [result.payload, result.hashes.buffer, result.data] : [result.data];
		parentPort!.postMessage({id: message.id, result}, transfer as ArrayBuffer[]);
	} catch (error) {
		parentPort!.postMessage({id: message.id, error: error instanceof Error ? error.message : String(error)});
	}
});
