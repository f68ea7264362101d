/** The compact table of a backup's new objects: every hash added is found at its row, nothing else is, across growth. */
import {randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {Codec, WrittenObjects} from '../../../source/engine/store/index.js';

describe('WrittenObjects', () => {
	it('finds every added hash at its row with its columns intact, and no hash it was not given', () => {
		const table = new WrittenObjects();
		const hashes = Array.from({length: 5000}, () => randomBytes(32));
		// Two hashes that share their first four bytes (the slot) must still be told apart.
		hashes.push(Buffer.concat([hashes[0]!.subarray(0, 4), randomBytes(28)]));
		for (const [row, hash] of hashes.entries()) {
			expect(table.find(hash)).toBeUndefined();
			expect(table.add({hash, pack: row % 7, offset: row * 100_000, storedLength: row, rawLength: row + 1, codec: row % 2 === 0 ? Codec.Raw : Codec.Zstd})).toBe(row);
		}

		expect(table.length).toBe(hashes.length);
		for (const [row, hash] of hashes.entries()) {
			expect(table.find(hash)).toBe(row);
			const object = table.at(row);
			expect(object.hash.equals(hash)).toBe(true);
			expect(object).toMatchObject({pack: row % 7, offset: row * 100_000, storedLength: row, rawLength: row + 1, codec: row % 2 === 0 ? Codec.Raw : Codec.Zstd});
		}

		for (let probe = 0; probe < 1000; probe++) expect(table.find(randomBytes(32))).toBeUndefined();
	});
});
