/**
 * Sparse files for the hole tests: data written at given offsets of a large empty file, and a hash of a file's whole
 * content that reads its holes as the zeros they are without reading them.
 *
 * The hash: SHA-256 over the file's size and every 4 KiB page that is not all zeros, with its offset. The content is
 * zeros outside those pages, so two files with the same hash hold the same bytes, however their holes and data
 * extents lie. The pages are found with lseek's SEEK_DATA/SEEK_HOLE called here directly (through fs-ext, not the
 * engine's walker under test); the hash of the data the test wrote, computed in memory (expectedSparseHash), checks
 * that the walk found all of it.
 */
import {createHash} from 'node:crypto';
import {closeSync, fstatSync, openSync, readSync, truncateSync, writeFileSync, writeSync} from 'node:fs';
import {createRequire} from 'node:module';

export const page = 4096;
const seekData = 3;
const seekHole = 4;
const {seekSync} = createRequire(import.meta.url)('fs-ext') as {seekSync(fd: number, position: number, whence: number): number};

export type Region = {offset: number; data: Buffer};

/** Creates a sparse file of `size` bytes holding `regions` (their data written, the rest never allocated). */
export function makeSparseFile(path: string, size: number, regions: readonly Region[]): void {
	writeFileSync(path, '');
	truncateSync(path, size);
	writeRegions(path, regions);
}

export function writeRegions(path: string, regions: readonly Region[]): void {
	const fd = openSync(path, 'r+');
	try {
		for (const {offset, data} of regions) writeSync(fd, data, 0, data.length, offset);
	} finally {
		closeSync(fd);
	}
}

function seek(fd: number, position: number, whence: number, size: number): number {
	try {
		return seekSync(fd, position, whence);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENXIO') return size;
		throw error;
	}
}

const zeroPage = Buffer.alloc(page);

class PageHash {
	private readonly hash = createHash('sha256');

	constructor(size: number) {
		this.hash.update(`size ${size}\n`);
	}

	add(offset: number, bytes: Buffer): void {
		if (bytes.equals(zeroPage)) return;
		this.hash.update(`page ${offset}\n`);
		this.hash.update(bytes);
	}

	digest(): string {
		return this.hash.digest('hex');
	}
}

/** The content hash of a file (see the file's comment), reading only its data extents. */
export function sparseHash(path: string): string {
	const fd = openSync(path, 'r');
	try {
		const {size} = fstatSync(fd);
		const hash = new PageHash(size);
		const buffer = Buffer.alloc(page);
		for (let position = seek(fd, 0, seekData, size); position < size; ) {
			const hole = seek(fd, position, seekHole, size);
			// Whole pages from the one holding the extent's start.
			for (let at = Math.floor(position / page) * page; at < hole; at += page) {
				buffer.fill(0);
				readSync(fd, buffer, 0, Math.min(page, size - at), at);
				hash.add(at, buffer);
			}

			position = seek(fd, Math.ceil(hole / page) * page, seekData, size);
		}

		return hash.digest();
	} finally {
		closeSync(fd);
	}
}

/** The content hash of a file of `size` bytes holding `regions` (later ones over earlier ones) and zeros elsewhere. */
export function expectedSparseHash(size: number, regions: readonly Region[]): string {
	const pages = new Map<number, Buffer>();
	for (const {offset, data} of regions) {
		for (let at = offset; at < offset + data.length; ) {
			const start = Math.floor(at / page) * page;
			const bytes = pages.get(start) ?? Buffer.alloc(Math.min(page, size - start));
			pages.set(start, bytes);
			const end = Math.min(start + page, offset + data.length);
			data.copy(bytes, at - start, at - offset, end - offset);
			at = end;
		}
	}

	const hash = new PageHash(size);
	for (const start of [...pages.keys()].sort((a, b) => a - b)) {
		const bytes = pages.get(start)!;
		hash.add(start, bytes.length === page ? bytes : Buffer.concat([bytes, Buffer.alloc(page - bytes.length)]));
	}

	return hash.digest();
}

/** Bytes the file has allocated on disk (st_blocks are 512 bytes each). */
export function allocatedBytes(path: string): number {
	const fd = openSync(path, 'r');
	try {
		return fstatSync(fd).blocks * 512;
	} finally {
		closeSync(fd);
	}
}
