/**
 * Writing files so they survive a crash: a whole buffer at a position (at once, or on libuv's thread pool while the
 * caller goes on), a small file that is either absent or complete, and fsyncs of files and of the folders whose
 * renames and creations must last.
 */
import {closeSync, fsyncSync, openSync, renameSync, write, writeSync} from 'node:fs';
import {resolve} from 'node:path';
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

/** Makes a file's contents durable, or (for a folder) a rename or create inside it. */
export function fsyncPath(path: string): void {
	const fd = openSync(path, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** Writes a small file so that it is either absent or complete: temp name, fsync, rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
	const temporary = `${path}.tmp-${process.pid}`;
	const fd = openSync(temporary, 'w', 0o600);
	try {
		writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}

	renameSync(temporary, path);
	fsyncPath(resolve(path, '..'));
}
