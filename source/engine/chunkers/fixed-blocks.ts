/**
 * Fixed-block cutting for volumes: a disk is cut into blocks of one size, chosen when its item is added, so a block
 * index is a place on the disk (block i holds bytes i * size up to (i + 1) * size; the last block may be shorter).
 * A changed byte changes one block, and a restore writes each block back at its index.
 */
import {UserError} from '../errors.js';

export const minBlockSize = 4096;
export const maxBlockSize = 1024 * 1024;
/** The block size of a volume item added without --block-size. */
export const defaultBlockSize = 16 * 1024;

/** Checks a block size when an item is added: a power of two from 4 KiB to 1 MiB. */
export function assertBlockSize(size: number): number {
	if (!Number.isInteger(size) || size < minBlockSize || size > maxBlockSize || (size & (size - 1)) !== 0) {
		throw new UserError('BAD_BLOCK_SIZE', `block size ${size} is not a power of two from ${minBlockSize} to ${maxBlockSize}`, {hint: `Use e.g. --block-size ${defaultBlockSize} (the default)`});
	}

	return size;
}

/** How many blocks hold `bytes` bytes (the last one may be short): for sizing a disk's block map. */
export function blockCount(bytes: number, blockSize: number): number {
	return Math.ceil(bytes / blockSize);
}

/** How many whole blocks fit in a batch of about `batchBytes` (at least one): for sizing a capture's reads. */
export function blocksPerBatch(batchBytes: number, blockSize: number): number {
	return Math.max(1, Math.floor(batchBytes / blockSize));
}

/** The boundaries of the blocks in `bytes` bytes read from a block boundary: offsets[i] to offsets[i + 1] is block i. */
export function blockOffsets(bytes: number, blockSize: number): Uint32Array {
	const count = blockCount(bytes, blockSize);
	const offsets = new Uint32Array(count + 1);
	for (let block = 0; block <= count; block++) offsets[block] = Math.min(block * blockSize, bytes);
	return offsets;
}
