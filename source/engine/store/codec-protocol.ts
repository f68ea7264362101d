/** Messages between the engine and its codec worker threads. */

export const enum BlockKind {
	/** All zero bytes: no data, nothing stored. */
	Zero = 0,
	/** Same hash as the base's block at this index. */
	Unchanged = 1,
	/** Differs from the base: hashed and compressed. */
	New = 2,
}

export type EncodeRequest = {
	op: 'encode';
	/**
	 * The bytes of consecutive blocks or chunks (an ArrayBuffer is transferred, a SharedArrayBuffer shared), or
	 * undefined when the worker reads them (`readFrom`).
	 */
	data: ArrayBuffer | SharedArrayBuffer | undefined;
	/** Boundaries: piece i is data[offsets[i], offsets[i+1]); ignored with `readFrom`, where blocks are fixed-size. */
	offsets: Uint32Array;
	/**
	 * Read the data from an open file instead: `length` bytes (fewer at its end) at `position`, cut into `blockSize`
	 * blocks; `direct` when the file was opened with O_DIRECT (block devices: see direct-read.ts). With `extents`
	 * (pairs of offsets from `position`, begin and end, in order: a sparse file's data, see holes.ts) only those
	 * ranges are read and the rest of the `length` bytes are zeros, the file's holes.
	 */
	readFrom?: {fd: number; position: number; length: number; blockSize: number; direct?: boolean; extents?: number[] | undefined} | undefined;
	/** Per piece, the base's hash at the same place (zeros where the base has none); undefined for none. */
	baseHashes: Uint8Array | undefined;
	/** Treat all-zero pieces as no data (volumes), or hash them like any other (streams). */
	detectZero: boolean;
	/** zstd level; 0 stores raw; -1 only hashes (no payload), for a caller that first checks what is new. */
	level: number;
	/** A payload buffer of an earlier result (transferred) or of the caller's own (shared), filled when large enough. */
	reuse?: ArrayBuffer | SharedArrayBuffer | undefined;
};

export type EncodeResult = {
	hashes: Uint8Array;
	kinds: Uint8Array;
	codecs: Uint8Array;
	/** Stored length of each New piece (0 for others). */
	lengths: Uint32Array;
	/** The stored bytes of the New pieces, back to back from offset 0 (the buffer may be longer: use `lengths`). */
	payload: ArrayBuffer | SharedArrayBuffer;
	/** The request's data buffer, handed back so the reader can fill it again (empty with `readFrom`). */
	data: ArrayBuffer | SharedArrayBuffer;
	/** With `readFrom`: the bytes read and the block boundaries used. */
	filled?: number;
	offsets?: Uint32Array;
	/** With `readFrom`: the bytes actually read from the file (below `filled` when holes were skipped). */
	readBytes?: number;
};

export type DecodeRequest = {
	op: 'decode';
	/** The stored bytes back to back (transferred), or undefined when the worker reads them itself (`readFrom`). */
	payload: ArrayBuffer | undefined;
	/**
	 * Read the stored bytes from the packs instead, so reading overlaps the other worker's decoding. Object i lies in
	 * pack packNames[packs[i]] at offsets[i] (its stored length is storedLengths[i]): typed arrays, which cross to the
	 * worker for a fraction of what one object per location cost to clone.
	 */
	readFrom?: {packsDir: string; packNames: string[]; packs: Uint32Array; offsets: Float64Array} | undefined;
	codecs: Uint8Array;
	storedLengths: Uint32Array;
	rawLengths: Uint32Array;
	hashes: Uint8Array;
	/** Write the plaintexts to a file instead of returning them: only when every object of the request is intact. */
	writeTo?: DecodeTarget | undefined;
};

/** Where a restore's worker writes: an open file and each object's byte position in it. */
export type DecodeTarget = {
	fd: number;
	positions: Float64Array;
	/**
	 * The same file opened with O_DIRECT, when it could be: a writer that can align its buffers writes whole 4 KiB
	 * sectors there, past the page cache, and everything else (a disk's short last block) through `fd`.
	 */
	directFd?: number | undefined;
};

export type DecodeResult = {
	/** The plaintexts back to back (damaged ones left as zeros); empty when they were written to `writeTo`. */
	data: ArrayBuffer;
	/** Indexes of objects whose stored bytes did not decode to their hash; when any, nothing was written. */
	damaged: number[];
	/** With `readFrom`: the index of the first object whose pack is missing, short or disagrees; nothing was written. */
	unreadable?: number | undefined;
};

/** Closes the pack files a worker keeps open between decode requests (file descriptors belong to the process). */
export type ReleaseRequest = {op: 'release'};

export type WorkerRequest = EncodeRequest | DecodeRequest | ReleaseRequest;

/**
 * The buffers of a message to transfer: ArrayBuffers, once each. Shared ones go by reference and stay the sender's, so
 * a caller that keeps them (the database capture) does not make the receiving thread wrap a new buffer per message:
 * transferred buffers that lived on were promoted and freed only by full collections, 45 of them in a 489 MiB dump.
 */
export function transferable(buffers: ReadonlyArray<ArrayBuffer | SharedArrayBuffer | undefined>): ArrayBuffer[] {
	return [...new Set(buffers)].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
}
