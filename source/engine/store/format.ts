/**
 * The on-disk format of packs and objects (repository format 3).
 *
 *   pack    := magic "STRPACK3" (8 bytes) | object bytes, back to back | index | trailer
 *   index   := one 42-byte entry per object, in the order the objects lie in the pack:
 *              kind u8 | codec u8 | stored length u32 LE | raw length u32 LE | BLAKE3 of the plaintext (32 bytes)
 *              (an object's offset is implied: the first lies right after the magic, each next one right after the
 *              previous one's stored bytes)
 *   trailer := index offset u64 LE | entry count u32 LE | reserved u32 (0) | BLAKE3 of the index (32) | "STRIDX3\n"
 *
 * Objects carry no header of their own: the index says what each one is, so a pack describes itself and the catalog
 * can be rebuilt from packs alone (format 2 put a 41-byte header before every object, 42% of a small-chunk dump's
 * overhead). The index is written when the pack is sealed, before the pack is fsynced and renamed into packs/, so
 * every pack under packs/ has one. The codec is named per object, so compression can change without a format break.
 * A catalog's object offset points at the object's stored bytes.
 */
import {blake3} from '@napi-rs/blake-hash';
import {Codec, hashLength} from '../model/objects.js';

// The vocabulary the catalog shares lives in model/; the store's files take it from here.
export {Codec, hashLength, type ObjectLocation, type WrittenObject, type WrittenPack} from '../model/objects.js';

/** Format 3 packs (this build writes only these). */
export const packMagic = Buffer.from('STRPACK3', 'latin1');
/** Format 2 packs (objects with 41-byte headers, no index): read only to upgrade a format-2 repository. */
export const packMagicV2 = Buffer.from('STRPACK1', 'latin1');
export const indexMagic = Buffer.from('STRIDX3\n', 'latin1');
export const indexEntryLength = 1 + 1 + 4 + 4 + hashLength;
export const packTrailerLength = 8 + 4 + 4 + hashLength + 8;
/** What a pack holds for each object beyond its stored bytes: its index entry (gc counts this as a live object's cost). */
export const perObjectOverhead = indexEntryLength;

/** What an object in a pack is. Data objects are blocks and chunks; the others make the repository self-describing. */
export enum ObjectKind {
	/** A block of a volume or a chunk of a stream. */
	Data = 0,
	/** A recovery point's manifest: its item, type, base, times, disks and block map or recipe (catalog rebuild). */
	Manifest = 1,
	/** The repository's state: items, policies and settings (catalog rebuild). */
	State = 2,
}

/** One object as a pack's index lists it. */
export type PackIndexEntry = {
	kind: ObjectKind;
	codec: Codec;
	offset: number;
	storedLength: number;
	rawLength: number;
	hash: Buffer;
};

/** Encodes an index entry into `target` at `offset`. */
export function encodeIndexEntry(target: Buffer, offset: number, entry: Omit<PackIndexEntry, 'offset'>): void {
	target.writeUInt8(entry.kind, offset);
	target.writeUInt8(entry.codec, offset + 1);
	target.writeUInt32LE(entry.storedLength, offset + 2);
	target.writeUInt32LE(entry.rawLength, offset + 6);
	entry.hash.copy(target, offset + 10, 0, hashLength);
}

/** The trailer that closes a pack whose index (`index`, its encoded entries) starts at `indexOffset`. */
export function encodePackTrailer(index: Buffer, indexOffset: number): Buffer {
	const trailer = Buffer.alloc(packTrailerLength);
	trailer.writeBigUInt64LE(BigInt(indexOffset), 0);
	trailer.writeUInt32LE(index.length / indexEntryLength, 8);
	trailer.writeUInt32LE(0, 12);
	blake3(index).copy(trailer, 16);
	indexMagic.copy(trailer, 16 + hashLength);
	return trailer;
}

/** What a pack's trailer says: where its index starts and how many entries it has; undefined when it is not a trailer. */
export function decodePackTrailer(trailer: Buffer, packSize: number): {indexOffset: number; count: number; indexHash: Buffer} | undefined {
	if (trailer.length !== packTrailerLength || !trailer.subarray(16 + hashLength).equals(indexMagic)) return undefined;
	const indexOffset = Number(trailer.readBigUInt64LE(0));
	const count = trailer.readUInt32LE(8);
	if (indexOffset < packMagic.length || indexOffset + count * indexEntryLength + packTrailerLength !== packSize) return undefined;
	return {indexOffset, count, indexHash: trailer.subarray(16, 16 + hashLength)};
}

/**
 * The entries of a pack's index (`index`: its bytes, checked against the trailer's hash by the caller), with each
 * object's offset; undefined when the objects' lengths do not add up to the index's offset.
 */
export function decodePackIndex(index: Buffer, indexOffset: number): PackIndexEntry[] | undefined {
	const entries: PackIndexEntry[] = [];
	let offset = packMagic.length;
	for (let at = 0; at < index.length; at += indexEntryLength) {
		const storedLength = index.readUInt32LE(at + 2);
		entries.push({
			kind: index.readUInt8(at) as ObjectKind,
			codec: index.readUInt8(at + 1) as Codec,
			offset,
			storedLength,
			rawLength: index.readUInt32LE(at + 6),
			hash: Buffer.from(index.subarray(at + 10, at + 10 + hashLength)),
		});
		offset += storedLength;
	}

	return offset === indexOffset ? entries : undefined;
}

/** Format 2's per-object header (read only by the upgrade from format 2). */
export const objectHeaderLength = 1 + 4 + 4 + hashLength;

export type ObjectHeader = {
	codec: Codec;
	rawLength: number;
	storedLength: number;
	hash: Buffer;
};

/** Writes a format-2 object header into `target` at `offset` (tests make format-2 packs with it). */
export function encodeObjectHeader(target: Buffer, offset: number, header: ObjectHeader): void {
	target.writeUInt8(header.codec, offset);
	target.writeUInt32LE(header.rawLength, offset + 1);
	target.writeUInt32LE(header.storedLength, offset + 5);
	header.hash.copy(target, offset + 9, 0, hashLength);
}

/** Reads a format-2 object header from `source` at `offset`. */
export function decodeObjectHeader(source: Buffer, offset = 0): ObjectHeader {
	return {
		codec: source.readUInt8(offset) as Codec,
		rawLength: source.readUInt32LE(offset + 1),
		storedLength: source.readUInt32LE(offset + 5),
		hash: source.subarray(offset + 9, offset + 9 + hashLength),
	};
}

/**
 * The content hash of an object's plaintext: BLAKE3 (256 bits, collision resistant like SHA-256). Measured here on
 * 16 KiB blocks: 2.7-3.1 GB/s per core through @napi-rs/blake-hash's SIMD build against 1.25 GB/s for OpenSSL's
 * SHA-256 with the CPU's SHA instructions. Every block of every backup is hashed, so this is most of an
 * incremental's CPU and a third of a restore's (each object is checked on read).
 */
export function contentHash(data: Uint8Array): Buffer {
	return blake3(data as Buffer);
}
