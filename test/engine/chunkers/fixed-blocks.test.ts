/** Fixed-block cutting: block boundaries of a batch, block counts, and the block sizes an item may have. */
import {describe, expect, it} from 'vitest';
import {assertBlockSize, blockCount, blockOffsets, blocksPerBatch, defaultBlockSize} from '../../../source/engine/chunkers/index.js';

describe('fixed blocks', () => {
	it('cuts a batch at every block boundary, the last block short', () => {
		expect([...blockOffsets(10_000, 4096)]).toEqual([0, 4096, 8192, 10_000]);
		expect([...blockOffsets(8192, 4096)]).toEqual([0, 4096, 8192]);
		expect([...blockOffsets(0, 4096)]).toEqual([0]);
		expect(blockCount(10_000, 4096)).toBe(3);
		expect(blocksPerBatch(2 * 1024 * 1024, defaultBlockSize)).toBe(128);
		expect(blocksPerBatch(1000, 1024 * 1024)).toBe(1);
	});

	it('takes powers of two from 4 KiB to 1 MiB and refuses others with the code the CLI shows', () => {
		expect(assertBlockSize(4096)).toBe(4096);
		expect(assertBlockSize(1024 * 1024)).toBe(1024 * 1024);
		for (const size of [2048, 5000, 2 * 1024 * 1024, 16_384.5]) {
			expect(() => assertBlockSize(size)).toThrow(expect.objectContaining({code: 'BAD_BLOCK_SIZE', message: `block size ${size} is not a power of two from 4096 to 1048576`}));
		}
	});
});
