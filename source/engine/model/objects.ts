/**
 * Objects as the catalog records them and the store writes and reads them: plain types and the two constants both
 * sides must agree on, with no I/O (the store's format.ts says how they sit in a pack file).
 */

/** Bytes of an object's content hash (BLAKE3, 256 bits). */
export const hashLength = 32;

/** How an object's bytes are stored; named in each object's header, so compression can change without a format break. */
export const enum Codec {
	Raw = 0,
	Zstd = 1,
}

/** Where an object's stored bytes are: its pack, the offset of its header there, and how many bytes follow the header. */
export type ObjectLocation = {
	packName: string;
	offset: number;
	storedLength: number;
};

/** An object the catalog knows: its id, hash, location and codec (what a restore or verify needs to read it). */
export type StoredObject = ObjectLocation & {
	id: number;
	hash: Buffer;
	rawLength: number;
	codec: Codec;
};

/** A pack a job wrote, once durable: its name (32 hex characters) and size in bytes. */
export type WrittenPack = {name: string; size: number};

/** An object a job wrote and the catalog does not know yet: `pack` indexes the job's own list of packs. */
export type WrittenObject = {
	hash: Buffer;
	pack: number;
	offset: number;
	storedLength: number;
	rawLength: number;
	codec: Codec;
};

