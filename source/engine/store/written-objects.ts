/**
 * The objects one backup wrote, kept compactly until its commit: one row per object in typed columns (about 60 bytes
 * each) and an open-addressing table over the hashes, instead of a JavaScript object plus a hex-string map entry
 * (about 350 bytes each, measured). A backup of a 4 TiB volume writes up to 268 million 16 KiB objects; the
 * memory of a backup must not grow with the volume faster than this.
 */
import {type Codec, hashLength, type WrittenObject} from './format.js';

const initialCapacity = 1024;

export class WrittenObjects {
	length = 0;
	private capacity = initialCapacity;
	private hashes = new Uint8Array(initialCapacity * hashLength);
	private packs = new Uint32Array(initialCapacity);
	private offsets = new Float64Array(initialCapacity);
	private storedLengths = new Uint32Array(initialCapacity);
	private rawLengths = new Uint32Array(initialCapacity);
	private codecs = new Uint8Array(initialCapacity);
	/** Row + 1 per slot, 0 for empty; at most half full. Hashes are uniform, so their first bytes are the slot. */
	private slots = new Int32Array(initialCapacity * 2);

	/** The row of the object with this hash, if this backup wrote it. */
	find(hash: Uint8Array): number | undefined {
		const mask = this.slots.length - 1;
		for (let slot = this.slotOf(hash) & mask; ; slot = (slot + 1) & mask) {
			const row = this.slots[slot]! - 1;
			if (row < 0) return undefined;
			if (this.hashEquals(row, hash)) return row;
		}
	}

	/** Adds a written object (its hash is copied); returns its row. The caller checked it is not there yet. */
	add(object: WrittenObject): number {
		if (this.length === this.capacity) this.grow();
		const row = this.length++;
		this.hashes.set(object.hash.subarray(0, hashLength), row * hashLength);
		this.packs[row] = object.pack;
		this.offsets[row] = object.offset;
		this.storedLengths[row] = object.storedLength;
		this.rawLengths[row] = object.rawLength;
		this.codecs[row] = object.codec;
		this.insert(row);
		return row;
	}

	/** One object, as the catalog commit wants it. */
	at(row: number): WrittenObject {
		return {
			hash: Buffer.from(this.hashes.buffer, row * hashLength, hashLength),
			pack: this.packs[row]!,
			offset: this.offsets[row]!,
			storedLength: this.storedLengths[row]!,
			rawLength: this.rawLengths[row]!,
			codec: this.codecs[row] as Codec,
		};
	}

	private slotOf(hash: Uint8Array): number {
		return (hash[0]! | (hash[1]! << 8) | (hash[2]! << 16) | (hash[3]! << 24)) >>> 0;
	}

	private hashEquals(row: number, hash: Uint8Array): boolean {
		const base = row * hashLength;
		for (let index = 0; index < hashLength; index++) if (this.hashes[base + index] !== hash[index]) return false;
		return true;
	}

	private insert(row: number): void {
		const mask = this.slots.length - 1;
		let slot = this.slotOf(this.hashes.subarray(row * hashLength, row * hashLength + 4)) & mask;
		while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
		this.slots[slot] = row + 1;
	}

	private grow(): void {
		this.capacity *= 2;
		const grown = <T extends Uint8Array | Uint32Array | Float64Array>(old: T, make: (length: number) => T, width = 1): T => {
			const next = make(this.capacity * width);
			next.set(old as never);
			return next;
		};
		this.hashes = grown(this.hashes, length => new Uint8Array(length), hashLength);
		this.packs = grown(this.packs, length => new Uint32Array(length));
		this.offsets = grown(this.offsets, length => new Float64Array(length));
		this.storedLengths = grown(this.storedLengths, length => new Uint32Array(length));
		this.rawLengths = grown(this.rawLengths, length => new Uint32Array(length));
		this.codecs = grown(this.codecs, length => new Uint8Array(length));
		this.slots = new Int32Array(this.capacity * 2);
		for (let row = 0; row < this.length; row++) this.insert(row);
	}
}
