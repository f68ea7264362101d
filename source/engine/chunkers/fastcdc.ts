/**
 * Content-defined chunking (FastCDC with normalized chunking) for streams such as pg_dump output: boundaries depend
 * on the bytes around them, so an insertion shifts only the chunks it touches and the rest still deduplicate.
 *
 * Chunk sizes were chosen by measuring pgbench dumps (`pg_dump -Fc -Z0` of `pgbench -s 5`, 50 MB, before and after
 * 200 transactions): an UPDATE moves a row to the table's end, so each changed row costs a chunk in the middle and
 * one at the end. Nominal average 4 KiB (about 7.5 KiB in practice, 6,700 chunks) left 4.4% of the second dump's
 * bytes new; 8 KiB nominal left 8.8% and 16 KiB 15.6%. 4 KiB keeps an incremental near a twentieth of the full while
 * per-chunk catalog rows stay affordable. The chunker runs at 500-850 MB/s warm, faster than pg_dump writes.
 */

export type ChunkSizes = {min: number; average: number; max: number};

/** The sizes used for database dumps. */
export const dumpChunkSizes: ChunkSizes = {min: 1024, average: 4 * 1024, max: 32 * 1024};

/** 256 fixed pseudo-random 32-bit values (xorshift32 from a fixed seed): boundaries must never change between versions. */
const gear = (() => {
	const table = new Int32Array(256);
	let state = 0x9e3779b9;
	for (let index = 0; index < 256; index++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		table[index] = state | 0;
	}

	return table;
})();

function topBitsMask(bits: number): number {
	return (((1 << bits) - 1) << (32 - bits)) | 0;
}

/**
 * Cuts `data[start, end)` into chunks; returns the end offset of each chunk found. Unless `final`, it stops before a
 * tail shorter than `max` (whose boundary may depend on bytes not read yet) and leaves it for the next call.
 */
export function findCuts(data: Uint8Array, start: number, end: number, final: boolean, sizes: ChunkSizes = dumpChunkSizes): number[] {
	const bits = Math.round(Math.log2(sizes.average));
	// Normalized chunking: harder to cut before the average size, easier after it, so sizes cluster near the average.
	const maskHard = topBitsMask(bits + 2);
	const maskEasy = topBitsMask(bits - 2);
	const cuts: number[] = [];
	let position = start;
	while (position < end) {
		const remaining = end - position;
		if (remaining < sizes.max && !final) break;
		if (remaining <= sizes.min) {
			cuts.push(end);
			break;
		}

		const limit = position + Math.min(remaining, sizes.max);
		const normal = position + Math.min(remaining, sizes.average);
		let hash = 0;
		let index = position + sizes.min;
		let cut = limit;
		for (; index < normal; index++) {
			hash = ((hash << 1) + gear[data[index]!]!) | 0;
			if ((hash & maskHard) === 0) {
				cut = index + 1;
				break;
			}
		}

		if (cut === limit && index >= normal) {
			for (; index < limit; index++) {
				hash = ((hash << 1) + gear[data[index]!]!) | 0;
				if ((hash & maskEasy) === 0) {
					cut = index + 1;
					break;
				}
			}
		}

		cuts.push(cut);
		position = cut;
	}

	return cuts;
}
