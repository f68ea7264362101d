/** The content-defined chunker: sizes within bounds, stable boundaries, and resynchronisation after an edit. */
import {randomBytes} from 'node:crypto';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {dumpChunkSizes, findCuts} from '../../source/engine/chunkers/index.js';

function chunks(data: Uint8Array): string[] {
	const cuts = findCuts(data, 0, data.length, true);
	let start = 0;
	return cuts.map(cut => {
		const piece = Buffer.from(data.subarray(start, cut)).toString('base64');
		start = cut;
		return piece;
	});
}

describe('findCuts', () => {
	it('cuts every byte exactly once, within the size bounds', () => {
		const data = randomBytes(1024 * 1024);
		const cuts = findCuts(data, 0, data.length, true);
		expect(cuts.at(-1)).toBe(data.length);
		let start = 0;
		for (const cut of cuts.slice(0, -1)) {
			expect(cut - start).toBeGreaterThanOrEqual(dumpChunkSizes.min);
			expect(cut - start).toBeLessThanOrEqual(dumpChunkSizes.max);
			start = cut;
		}

		const average = data.length / cuts.length;
		expect(average).toBeGreaterThan(dumpChunkSizes.average);
		expect(average).toBeLessThan(dumpChunkSizes.average * 3);
	});

	it('gives the same cuts when the data arrives in pieces (streaming) as all at once', () => {
		const data = randomBytes(512 * 1024);
		const whole = findCuts(data, 0, data.length, true);
		const streamed: number[] = [];
		let position = 0;
		for (let end = 100_000; ; end = Math.min(end + 100_000, data.length)) {
			const final = end === data.length;
			const cuts = findCuts(data, position, end, final);
			streamed.push(...cuts);
			if (cuts.length > 0) position = cuts.at(-1)!;
			if (final) break;
		}

		expect(streamed).toEqual(whole);
	});

	it('re-synchronises after an insertion: almost all chunks of the edited data are shared (property)', () => {
		// Seeded, so the run is the same every time; fixed-size cutting would change every chunk after the insertion.
		const base = Buffer.from(fc.sample(fc.uint8Array({minLength: 256 * 1024, maxLength: 256 * 1024}), {numRuns: 1, seed: 7})[0]!);
		const before = new Set(chunks(base));
		const counts: number[] = [];
		fc.assert(
			fc.property(fc.integer({min: 0, max: base.length}), fc.uint8Array({minLength: 1, maxLength: 200}), (at, insert) => {
				const edited = Buffer.concat([base.subarray(0, at), insert, base.subarray(at)]);
				const changed = chunks(edited).filter(piece => !before.has(piece)).length;
				counts.push(changed);
				// Of about 35 chunks, an insertion touches the one it lands in and a few after it until boundaries line up.
				expect(changed).toBeLessThanOrEqual(12);
			}),
			{numRuns: 200, seed: 42},
		);
		expect(counts.reduce((sum, count) => sum + count, 0) / counts.length).toBeLessThan(2);
	});
});
