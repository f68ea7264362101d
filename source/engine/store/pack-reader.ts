/** Reads stored objects and pack indexes back out of packs, keeping pack files open while a job runs. */
import {closeSync, fstatSync, openSync, read, readSync} from 'node:fs';
import {promisify} from 'node:util';
import {join} from 'node:path';
import {blake3} from '@napi-rs/blake-hash';
import {decodePackIndex, decodePackTrailer, indexEntryLength, type ObjectLocation, type PackIndexEntry, packMagic, packTrailerLength} from './format.js';

const readAt = promisify(read);

/** Where a finished pack lives: packs/<first two hex digits>/<name>.pack (the reader needs no writer, nor the catalog). */
export function packPath(packsDir: string, name: string): string {
	return join(packsDir, name.slice(0, 2), `${name}.pack`);
}

/** A pack's index as read from its end, or why it could not be read. */
export type PackIndexRead = {entries: PackIndexEntry[]; dataEnd: number} | {problem: string};

/** Reads and checks the index of the pack open as `fd` (its magic, trailer, the index's hash and the objects' lengths). */
export function readPackIndexFrom(fd: number): PackIndexRead {
	const size = fstatSync(fd).size;
	if (size < packMagic.length + packTrailerLength) return {problem: 'pack too short to hold an index'};
	const magic = Buffer.alloc(packMagic.length);
	if (readSync(fd, magic, 0, magic.length, 0) !== magic.length || !magic.equals(packMagic)) return {problem: 'not a format-3 pack (wrong magic)'};
	const trailerBytes = Buffer.alloc(packTrailerLength);
	if (readSync(fd, trailerBytes, 0, packTrailerLength, size - packTrailerLength) !== packTrailerLength) return {problem: 'pack trailer unreadable'};
	const trailer = decodePackTrailer(trailerBytes, size);
	if (!trailer) return {problem: 'pack trailer damaged'};
	const index = Buffer.alloc(trailer.count * indexEntryLength);
	if (readSync(fd, index, 0, index.length, trailer.indexOffset) !== index.length) return {problem: 'pack index unreadable'};
	if (!blake3(index).equals(trailer.indexHash)) return {problem: 'pack index damaged (hash mismatch)'};
	const entries = decodePackIndex(index, trailer.indexOffset);
	if (!entries) return {problem: 'pack index damaged (lengths do not add up)'};
	return {entries, dataEnd: trailer.indexOffset};
}

/** Reads and checks the index of the pack at `path`; a missing or unreadable file is a problem too. */
export function readPackIndex(path: string): PackIndexRead {
	let fd: number;
	try {
		fd = openSync(path, 'r');
	} catch (error) {
		return {problem: `pack missing (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`};
	}

	try {
		return readPackIndexFrom(fd);
	} finally {
		closeSync(fd);
	}
}

/** The entry of the object at `offset` (entries are in offset order), or undefined. */
export function entryAt(entries: readonly PackIndexEntry[], offset: number): PackIndexEntry | undefined {
	let low = 0;
	let high = entries.length - 1;
	while (low <= high) {
		const middle = (low + high) >>> 1;
		const entry = entries[middle]!;
		if (entry.offset === offset) return entry;
		if (entry.offset < offset) low = middle + 1;
		else high = middle - 1;
	}

	return undefined;
}

type OpenPack = {fd: number; index: PackIndexRead | undefined};

/** How many pack indexes a reader keeps parsed (about 2,000 entries each for 32 MiB of 16 KiB blocks). */
const cachedIndexes = 64;

export class PackReader {
	private readonly packs = new Map<string, OpenPack>();
	private readonly indexOrder: string[] = [];

	constructor(private readonly packsDir: string) {}

	/**
	 * The stored bytes of an object and the hash its pack's index gives it, or undefined when the pack is missing or
	 * short, its index is unreadable, or the index has no object of that length at that offset.
	 */
	readStored(location: ObjectLocation, target: Buffer = Buffer.allocUnsafe(location.storedLength)): {stored: Buffer; hash: Buffer} | undefined {
		const pack = this.open(location.packName);
		if (pack === undefined) return undefined;
		const entry = this.entry(location.packName, pack, location.offset);
		if (entry === undefined || entry.storedLength !== location.storedLength) return undefined;
		const read = readSync(pack.fd, target, 0, location.storedLength, location.offset);
		if (read !== location.storedLength) return undefined;
		return {stored: target.subarray(0, location.storedLength), hash: entry.hash};
	}

	/** The index of a pack (parsed once per reader, the last 64 kept), or why it cannot be read. */
	index(packName: string): PackIndexRead {
		const pack = this.open(packName);
		if (pack === undefined) return {problem: 'pack missing'};
		return this.indexOf(packName, pack);
	}

	/** The hash the pack's index gives the object at `offset`, or undefined (no such object, index unreadable). */
	hashAt(packName: string, offset: number): Buffer | undefined {
		const pack = this.open(packName);
		return pack === undefined ? undefined : this.entry(packName, pack, offset)?.hash;
	}

	/**
	 * The stored bytes of many objects back to back, in the order given, reading objects that lie next to each other
	 * in a pack with one call; or the first object whose pack is missing, short or disagrees with the catalog (when its
	 * index can be read: an object it does not list at that offset and length). The reads run on libuv's thread pool,
	 * so a codec worker decodes another batch while this one comes off the disk. The bytes are checked against their
	 * hashes when decoded, so a pack whose index is damaged still restores.
	 */
	async readMany(locations: readonly ObjectLocation[]): Promise<{payload: Uint8Array} | {failed: ObjectLocation}> {
		const payload = new Uint8Array(locations.reduce((sum, location) => sum + location.storedLength, 0));
		let into = 0;
		for (let first = 0; first < locations.length; ) {
			const start = locations[first]!;
			let end = first + 1;
			let runBytes = start.storedLength;
			while (end < locations.length && locations[end]!.packName === start.packName && locations[end]!.offset === start.offset + runBytes) {
				runBytes += locations[end]!.storedLength;
				end++;
			}

			const pack = this.open(start.packName);
			if (pack === undefined) return {failed: start};
			const index = this.indexOf(start.packName, pack);
			if ('entries' in index) {
				for (let position = first; position < end; position++) {
					const location = locations[position]!;
					if (entryAt(index.entries, location.offset)?.storedLength !== location.storedLength) return {failed: location};
				}
			}

			// Read straight into the payload: several reads may be under way at once, each into its own part.
			const view = Buffer.from(payload.buffer, payload.byteOffset + into, runBytes);
			if ((await readAt(pack.fd, view, 0, runBytes, start.offset)).bytesRead !== runBytes) return {failed: start};
			into += runBytes;
			first = end;
		}

		return {payload};
	}

	close(): void {
		for (const pack of this.packs.values()) closeSync(pack.fd);
		this.packs.clear();
		this.indexOrder.length = 0;
	}

	private entry(packName: string, pack: OpenPack, offset: number): PackIndexEntry | undefined {
		const index = this.indexOf(packName, pack);
		return 'entries' in index ? entryAt(index.entries, offset) : undefined;
	}

	private indexOf(packName: string, pack: OpenPack): PackIndexRead {
		if (pack.index === undefined) {
			pack.index = readPackIndexFrom(pack.fd);
			this.indexOrder.push(packName);
			if (this.indexOrder.length > cachedIndexes) {
				const evicted = this.packs.get(this.indexOrder.shift()!);
				if (evicted) evicted.index = undefined;
			}
		}

		return pack.index;
	}

	private open(name: string): OpenPack | undefined {
		let pack = this.packs.get(name);
		if (pack === undefined) {
			let fd: number;
			try {
				fd = openSync(packPath(this.packsDir, name), 'r');
			} catch {
				return undefined;
			}

			pack = {fd, index: undefined};
			this.packs.set(name, pack);
		}

		return pack;
	}
}
