/** Writing a whole buffer to a file at a position: at once, or on libuv's thread pool while the caller goes on. */
import {closeSync, write, writeSync} from 'node:fs';
import {promisify} from 'node:util';

/** Writes `length` bytes of `buffer` at `position`, however many calls it takes. */
export function writeFully(fd: number, buffer: Uint8Array, length: number, position: number): void {
	for (let written = 0; written < length; ) written += writeSync(fd, buffer, written, length - written, position + written);
}

const writeAt = promisify(write);

/** Writes `length` bytes of `buffer` at `position` on libuv's thread pool, so the calling thread goes on meanwhile. */
export async function writeFullyInBackground(fd: number, buffer: Uint8Array, length: number, position: number, from = 0): Promise<void> {
	for (let written = 0; written < length; ) written += (await writeAt(fd, buffer, from + written, length - written, position + written)).bytesWritten;
}

/** Closes a file descriptor on a path that is being given up (a failed pack, say), ignoring errors. */
export function closeQuietly(fd: number): void {
	try {
		closeSync(fd);
	} catch {}
}
