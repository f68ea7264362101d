/** Real files standing in for disks: sparse images, block reads and writes at given indexes, and SHA-256 of whole files. */
import {createHash, randomBytes} from 'node:crypto';
import {closeSync, openSync, readFileSync, readSync, truncateSync, writeFileSync, writeSync} from 'node:fs';

export const blockSize = 16 * 1024;

/** Creates a sparse disk image of `blocks` blocks (all zero). */
export function makeDisk(path: string, blocks: number, size = blockSize): void {
	writeFileSync(path, '');
	truncateSync(path, blocks * size);
}

/** Writes one block: `fill` as a repeated byte, or the given bytes. */
export function writeBlock(path: string, index: number, fill: number | Buffer, size = blockSize): void {
	const data = typeof fill === 'number' ? Buffer.alloc(size, fill) : fill;
	const fd = openSync(path, 'r+');
	try {
		writeSync(fd, data, 0, data.length, index * size);
	} finally {
		closeSync(fd);
	}
}

/** Reads one block. */
export function readBlock(path: string, index: number, size = blockSize): Buffer {
	const block = Buffer.alloc(size);
	const fd = openSync(path, 'r');
	try {
		readSync(fd, block, 0, size, index * size);
	} finally {
		closeSync(fd);
	}

	return block;
}

/** Writes `bytes` of random data, in 4 MiB pieces. */
export function writeRandomFile(path: string, bytes: number): void {
	const fd = openSync(path, 'w');
	try {
		for (let done = 0; done < bytes; done += 4 * 1024 * 1024) {
			const piece = randomBytes(Math.min(4 * 1024 * 1024, bytes - done));
			writeSync(fd, piece, 0, piece.length, done);
		}
	} finally {
		closeSync(fd);
	}
}

/** Rewrites `count` distinct random blocks with new random data; returns their indexes. */
export function rewriteRandomBlocks(path: string, totalBlocks: number, count: number): number[] {
	const chosen = new Set<number>();
	while (chosen.size < count) chosen.add(Math.floor(Math.random() * totalBlocks));
	for (const index of chosen) writeBlock(path, index, randomBytes(blockSize));
	return [...chosen];
}

/** SHA-256 of a whole file, hex. */
export function sha256File(path: string): string {
	return createHash('sha256').update(readFileSync(path)).digest('hex');
}
