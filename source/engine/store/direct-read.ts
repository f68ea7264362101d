/**
 * Reading block devices with O_DIRECT. A filesystem mounted on a device writes file data straight to the device,
 * past the device's own page cache, so pages of the device cached by an earlier read go stale: a later buffered read
 * (the next backup, even of a frozen filesystem) returns the old bytes, silently (measured here: the second backup
 * of an ext4 on a loop device saw 4 changed blocks of 8 MiB rewritten). Direct reads go to the device every time.
 * They need a buffer aligned to the device's block size, which JavaScript cannot ask for: alignedView finds one.
 */
import {readSync} from 'node:fs';

/** The largest alignment a device asks of a direct read's buffer (its logical block size, 512 or 4096). */
const maxAlignment = 4096;

/**
 * A view of `length` bytes inside `buffer` (which must have maxAlignment spare bytes) at an address the kernel
 * accepts for direct reads from `fd`: found by trying each 8-byte step (allocations are at least 8-byte aligned)
 * with a one-block read; EINVAL means misaligned and costs no I/O. Returns undefined when no step works.
 */
export function alignedView(fd: number, buffer: Uint8Array, length: number, position = 0): Uint8Array | undefined {
	for (let shift = 0; shift < maxAlignment; shift += 8) {
		try {
			readSync(fd, buffer, shift, maxAlignment, position);
			return buffer.subarray(shift, shift + length);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
		}
	}

	return undefined;
}

/** A buffer of `length` bytes for direct reads from `fd` (length a multiple of the device's block size). */
export function directReadBuffer(fd: number, length: number): Uint8Array {
	const view = alignedView(fd, new Uint8Array(length + maxAlignment), length);
	if (!view) throw new Error(`no buffer alignment accepted for direct reads (fd ${fd})`);
	return view;
}

/** Reads up to `length` bytes at `position` into `buffer` (from its start), looping over short reads; returns the bytes read. */
export function readFully(fd: number, buffer: Uint8Array, length: number, position: number): number {
	let filled = 0;
	while (filled < length) {
		const read = readSync(fd, buffer, filled, length - filled, position + filled);
		if (read === 0) break;
		filled += read;
	}

	return filled;
}

/**
 * Reads only the data `extents` (pairs of offsets from `position`, begin and end, in order) of `length` bytes at
 * `position` into `buffer`, and fills the rest with zeros: a sparse file's holes, never read. Returns the bytes the
 * range holds (fewer when the file ends early) and the bytes actually read.
 */
export function readExtents(fd: number, buffer: Uint8Array, length: number, position: number, extents: readonly number[]): {filled: number; read: number} {
	let cursor = 0;
	let read = 0;
	for (let index = 0; index + 1 < extents.length; index += 2) {
		const begin = extents[index]!;
		const end = Math.min(extents[index + 1]!, length);
		if (end <= begin) continue;
		buffer.fill(0, cursor, begin);
		const got = readFully(fd, buffer.subarray(begin), end - begin, position + begin);
		read += got;
		// The file ended inside this extent (it shrank since its extents were found).
		if (got < end - begin) return {filled: begin + got, read};
		cursor = end;
	}

	buffer.fill(0, cursor, length);
	return {filled: length, read};
}
