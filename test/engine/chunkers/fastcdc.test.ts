/** The content-defined chunker: sizes within bounds, stable boundaries, and resynchronisation after an edit. */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {dumpChunkSizes, findCuts} from '../../../source/engine/chunkers/index.js';

/** Reproducible pseudo-random bytes (xorshift32), so a failing case can be replayed from its seed. */
function seededBytes(length: number, seed: number): Uint8Array {
	const out = new Uint8Array(length);
	let state = seed | 1;
	for (let index = 0; index < length; index++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		out[index] = state & 0xff;
	}

	return out;
}

function insertAt(data: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
	const edited = new Uint8Array(data.length + insert.length);
	edited.set(data.subarray(0, at));
	edited.set(insert, at);
	edited.set(data.subarray(at), at + insert.length);
	return edited;
}

/** How the cuts of `edited` (= `base` with `length` bytes inserted at `at`) relate to the cuts of `base`. */
function compareCuts(base: Uint8Array, edited: Uint8Array, at: number, length: number) {
	const before = findCuts(base, 0, base.length, true);
	const after = findCuts(edited, 0, edited.length, true);
	// The last cut is only the end of the data, which moves with any insertion; the others depend on content.
	const content = before.slice(0, -1);
	// The chunk the insertion lands in starts at the last cut at or before it; everything before is untouched.
	const untouched = content.filter(cut => cut <= at);
	const shifted = [...content.filter(cut => cut > at), base.length].map(cut => cut + length);
	const shiftedSet = new Set(shifted);
	const resync = after.find(cut => cut >= at + length && shiftedSet.has(cut))!;
	return {
		prefixKept: after.slice(0, untouched.length).every((cut, index) => cut === untouched[index]),
		tailAfterResync: after.filter(cut => cut >= resync),
		shiftedAfterResync: shifted.filter(cut => cut >= resync),
		changedChunks: after.filter(cut => cut > (untouched.at(-1) ?? 0) && cut <= resync).length,
	};
}

describe('findCuts', () => {
	it('cuts every byte exactly once, within the size bounds', () => {
		const data = seededBytes(2 * 1024 * 1024, 7);
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
		fc.assert(
			fc.property(fc.integer(), fc.integer({min: 1000, max: 300_000}), (seed, step) => {
				const data = seededBytes(768 * 1024, seed);
				const whole = findCuts(data, 0, data.length, true);
				const streamed: number[] = [];
				let position = 0;
				for (let end = Math.min(step, data.length); ; end = Math.min(end + step, data.length)) {
					const final = end === data.length;
					const cuts = findCuts(data, position, end, final);
					streamed.push(...cuts);
					if (cuts.length > 0) position = cuts.at(-1)!;
					if (final) break;
				}

				expect(streamed).toEqual(whole);
			}),
			{numRuns: 30},
		);
	});

	it('re-synchronises after an insertion: the chunks before it are kept, and from a nearby cut on all cuts are the old ones shifted (property)', () => {
		fc.assert(
			fc.property(fc.integer(), fc.double({min: 0, max: 1, noNaN: true}), fc.uint8Array({minLength: 1, maxLength: 300}), (seed, where, insert) => {
				const base = seededBytes(1024 * 1024, seed);
				const at = Math.floor(where * base.length);
				const result = compareCuts(base, insertAt(base, at, insert), at, insert.length);
				expect(result.prefixKept).toBe(true);
				// Re-synchronised for good: a boundary depends only on the bytes since the previous one.
				expect(result.tailAfterResync).toEqual(result.shiftedAfterResync);
				// Normalized chunking can move a cut, and the next, for a short cascade: 20,000 measured insertions
				// changed one chunk 95% of the time and at worst 16. 32 leaves a wide margin and still means "nearby".
				expect(result.changedChunks).toBeLessThanOrEqual(32);
			}),
			{numRuns: 100},
		);
	});

	it('usually costs one changed chunk per insertion (fixed seeds, so the figure is exact)', () => {
		const base = seededBytes(256 * 1024, 12_345);
		const counts: number[] = [];
		let state = 1;
		for (let trial = 0; trial < 400; trial++) {
			state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
			const at = state % base.length;
			const insert = seededBytes(1 + ((state >>> 8) % 200), state);
			counts.push(compareCuts(base, insertAt(base, at, insert), at, insert.length).changedChunks);
		}

		const one = counts.filter(count => count === 1).length / counts.length;
		const mean = counts.reduce((sum, count) => sum + count, 0) / counts.length;
		expect(one).toBeGreaterThan(0.85);
		expect(mean).toBeLessThan(1.5);
	});
});
