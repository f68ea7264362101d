/**
 * Direct I/O for large writes (packs, restored disks): the data goes from our buffer to the device without passing
 * through the page cache. Measured on this project's VM, writing 630 MiB of packs cost 1.5 s of kernel time through
 * the page cache and 0.2 s direct; a nightly backup or a restore also no longer evicts the host's working set.
 * Direct writes need the buffer's address, the length and the file offset aligned to the device's block size.
 */
import {closeSync, constants, openSync, write, writeSync} from 'node:fs';
import {promisify} from 'node:util';

/** Lengths and file offsets of direct writes are multiples of this (covers 512-byte and 4 KiB devices). */
export const directAlignment = 4096;

/**
 * Opens a file for direct writes with the given extra flags (O_CREAT, O_EXCL, ...), or returns undefined where the
 * file system refuses direct I/O (tmpfs, some network file systems): the caller then writes through the page cache.
 */
export function openDirect(path: string, flags: number, mode = 0o600): number | undefined {
	try {
		return openSync(path, constants.O_WRONLY | constants.O_DIRECT | flags, mode);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EINVAL' || code === 'EOPNOTSUPP') return undefined;
		throw error;
	}
}

/**
 * A buffer of `bytes` (a multiple of directAlignment) whose address suits direct writes to `fd`, or undefined.
 * JavaScript cannot see addresses, so the aligned view is found by trying direct writes of one aligned block at
 * offset 0 of the file from increasing offsets into a slightly larger allocation (the kernel refuses misaligned ones
 * with EINVAL). The file's first block then holds zeros: callers overwrite it or truncate it away.
 */
export function alignedBuffer(fd: number, bytes: number): Buffer | undefined {
	const raw = Buffer.allocUnsafeSlow(bytes + directAlignment);
	raw.fill(0, 0, directAlignment * 2);
	for (let offset = 0; offset < directAlignment; offset += 16) {
		try {
			writeSync(fd, raw, offset, directAlignment, 0);
			return raw.subarray(offset, offset + bytes);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
		}
	}

	return undefined;
}

/** Writes `length` bytes of `buffer` at `position`, however many calls it takes. */
export function writeFully(fd: number, buffer: Uint8Array, length: number, position: number): void {
	for (let written = 0; written < length; ) written += writeSync(fd, buffer, written, length - written, position + written);
}

const writeAt = promisify(write);

/** Writes `length` bytes of `buffer` at `position` on libuv's thread pool, so the calling thread goes on meanwhile. */
export async function writeFullyInBackground(fd: number, buffer: Uint8Array, length: number, position: number, from = 0): Promise<void> {
	for (let written = 0; written < length; ) written += (await writeAt(fd, buffer, from + written, length - written, position + written)).bytesWritten;
}

/** Closes a file descriptor opened for a probe or a failed attempt, ignoring errors. */
export function closeQuietly(fd: number): void {
	try {
		closeSync(fd);
	} catch {}
}
