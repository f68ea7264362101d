/**
 * Content-defined chunking (FastCDC with normalized chunking) for streams such as pg_dump output: boundaries depend
 * on the bytes around them, so an insertion shifts only the chunks it touches and the rest still deduplicate.
 *
 * Chunk sizes were chosen by measuring `pg_dump -Fc -Z0` of pgbench databases before and after `pgbench -t 200` (an
 * UPDATE moves a row to the table's end, so each changed row costs a chunk in the middle and one at the end), counting
 * what a point really costs: compressed pack bytes plus catalog rows (about 110 bytes per distinct object and 29 bytes
 * per recipe entry, and every point carries its full recipe).
 *
 *   nominal average (real)   -s 5 incremental, pack bytes     -s 50 full: packs + catalog   -s 50 incremental: packs + catalog
 *   2 KiB (3.7 KiB)          53 KiB (2.8% of a 1.85 MiB full)  -                              -
 *   4 KiB (7.4 KiB)          57 KiB (4.7% of 1.18 MiB)         12.5 + 10.0 MB                 60 KB + 1.97 MB
 *   8 KiB (15.5 KiB)         71 KiB (8.9% of 0.78 MiB)         8.3 + 4.7 MB                   79 KB + 0.87 MB
 *   16 KiB (32 KiB)          110 KiB (16.3% of 0.65 MiB)       -                              -
 *
 * Smaller chunks barely shrink an incremental's pack bytes (a changed row costs a chunk whatever its size, and small
 * chunks compress worse) but multiply catalog rows, which dominate a point's cost. Against 4 KiB, 8 KiB nominal
 * halves the catalog and cuts a full's packs by a third, for a third more pack bytes per incremental, and still lets
 * a few changed rows cost a few chunks. It is also cheaper per byte (fewer look-ups and rows): an incremental of -s 50
 * took 2.9 s instead of 3.3 s. Min and max are a quarter and eight times the average, as in the FastCDC paper.
 */

export type ChunkSizes = {min: number; average: number; max: number};

/** The sizes used for database dumps. */
export const dumpChunkSizes: ChunkSizes = {min: 2 * 1024, average: 8 * 1024, max: 64 * 1024};

/** 256 fixed pseudo-random 32-bit values (xorshift32 from a fixed seed): boundaries must not change between versions, or the next backup stores everything again. */
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
	const {min, average, max} = sizes;
	const bits = Math.round(Math.log2(average));
	// Normalized chunking: harder to cut before the average size, easier after it, so sizes cluster near the average.
	const maskHard = topBitsMask(bits + 2);
	const maskEasy = topBitsMask(bits - 2);
	// Locals, not property reads, in the loops: this is the hottest code of a database backup.
	const table = gear;
	const cuts: number[] = [];
	let position = start;
	while (position < end) {
		const remaining = end - position;
		if (remaining < max && !final) break;
		if (remaining <= min) {
			cuts.push(end);
			break;
		}

		const limit = position + (remaining < max ? remaining : max);
		const normal = position + (remaining < average ? remaining : average);
		let hash = 0;
		let index = position + min;
		let cut = -1;
		for (; index < normal; index++) {
			hash = ((hash << 1) + table[data[index]!]!) | 0;
			if ((hash & maskHard) === 0) {
				cut = index + 1;
				break;
			}
		}

		if (cut < 0) {
			for (; index < limit; index++) {
				hash = ((hash << 1) + table[data[index]!]!) | 0;
				if ((hash & maskEasy) === 0) {
					cut = index + 1;
					break;
				}
			}
		}

		if (cut < 0) cut = limit;
		cuts.push(cut);
		position = cut;
	}

	return cuts;
}
