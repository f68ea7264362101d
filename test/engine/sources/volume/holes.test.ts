/**
 * Hole skipping on a real sparse file: 64 GiB apparent, a few MiB of data at several offsets (the head, one region
 * straddling a batch boundary, one mid-batch, one at the very end). Backups read only the data extents (bytes read
 * counted in the point's meta, never timed), restores are byte-identical and sparse, and data that becomes a hole
 * between two backups is recorded as zero blocks and restores as zeros.
 */
import {randomBytes} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import {closeSync, openSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {addVolumeItem, CodecPool, Repository, runBackup, runRestore} from '../../../../source/engine/index.js';
import {batchBytes} from '../../../../source/engine/sources/volume/capture.js';
import {canSeekHoles, DataExtents} from '../../../../source/engine/store/index.js';
import {allocatedBytes, expectedSparseHash, makeSparseFile, type Region, sparseHash, writeRegions} from '../../../helpers/holes.js';
import {makeTempDir} from '../../../helpers/tmp.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const size = 64 * GiB;
const blockSize = 16 * 1024;

/** Blocks of `blockSize` that a byte range touches. */
function blocksTouched(offset: number, length: number): number {
	return Math.floor((offset + length - 1) / blockSize) - Math.floor(offset / blockSize) + 1;
}

function dataBytes(regions: readonly Region[]): number {
	return regions.reduce((sum, region) => sum + region.data.length, 0);
}

/** What a filesystem may add around each extent (allocation units up to 64 KiB either side). */
const slackPerRegion = 2 * 64 * 1024;

describe('a sparse volume source', () => {
	let pool: CodecPool;
	beforeAll(() => {
		pool = new CodecPool(2);
	});
	afterAll(async () => {
		await pool.close();
	});

	it('can ask this filesystem for holes', () => {
		// The native addon loaded; without it every other test here would read 64 GiB and fail on the bytes read.
		expect(canSeekHoles()).toBe(true);
	});

	it('backs up only the data extents, full and incremental, restores byte-identically and sparse, and a region punched out restores as zeros', async () => {
		// Given: 64 GiB with 8 MiB of random data in four regions, none block-aligned at the start but the head.
		const dir = makeTempDir('strata-holes-');
		const disk = join(dir, 'disk.img');
		const head: Region = {offset: 0, data: randomBytes(1 * MiB)};
		// 3 MiB starting 4 KiB into a 16 KiB block, across a batch boundary (checked below).
		const straddling: Region = {offset: 10 * GiB - MiB - 3 * 4096, data: randomBytes(3 * MiB)};
		const middle: Region = {offset: 33 * GiB + 123 * 4096, data: randomBytes(3 * MiB)};
		const end: Region = {offset: size - MiB, data: randomBytes(MiB)};
		const regions = [head, straddling, middle, end];
		makeSparseFile(disk, size, regions);
		expect(Math.floor(straddling.offset / batchBytes)).toBeLessThan(Math.floor((straddling.offset + straddling.data.length - 1) / batchBytes));
		expect(sparseHash(disk)).toBe(expectedSparseHash(size, regions));
		const repo = Repository.init(join(dir, 'repo'));
		addVolumeItem(repo, {name: 'vm', volumes: [disk], blockSize});

		// When: a full.
		const full = await runBackup(repo, 'vm', {type: 'full', pool});

		// Then: it read the data and nothing of the holes; every data block is stored and counted as changed.
		const data = dataBytes(regions);
		const dataBlocks = regions.reduce((sum, region) => sum + blocksTouched(region.offset, region.data.length), 0);
		expect(full.meta['readBytes']).toBeGreaterThanOrEqual(data);
		expect(full.meta['readBytes']).toBeLessThanOrEqual(data + regions.length * slackPerRegion);
		expect(full.disks).toEqual([{name: 'disk.img', size}]);
		expect(full.ownedBlocks).toBe(dataBlocks);
		expect(full.changedBlocks).toBe(dataBlocks);

		// When: an incremental of the unchanged file.
		const unchanged = await runBackup(repo, 'vm', {type: 'incremental', pool});

		// Then: the same bytes read, nothing changed.
		expect(unchanged.meta['readBytes']).toBe(full.meta['readBytes']);
		expect(unchanged.changedBlocks).toBe(0);
		expect(unchanged.ownedBlocks).toBe(0);

		// When: 1 MiB of the middle region is rewritten, a new 2 MiB region is written in a hole, and the straddling
		// region is punched out (a hole again), then an incremental.
		const rewrite: Region = {offset: middle.offset + MiB, data: randomBytes(MiB)};
		const added: Region = {offset: 50 * GiB + 5 * 4096, data: randomBytes(2 * MiB)};
		writeRegions(disk, [rewrite, added]);
		execFileSync('fallocate', ['--punch-hole', '--offset', String(straddling.offset), '--length', String(straddling.data.length), disk]);
		const now = [head, middle, rewrite, end, added];
		expect(sparseHash(disk)).toBe(expectedSparseHash(size, now));
		const changed = await runBackup(repo, 'vm', {type: 'incremental', pool});

		// Then: it read the data now present (the punched region not at all), and the punched blocks count as changed
		// (zero blocks where the previous point had data) with the rewritten and added ones.
		const dataNow = dataBytes([head, middle, end, added]);
		expect(changed.meta['readBytes']).toBeGreaterThanOrEqual(dataNow);
		expect(changed.meta['readBytes']).toBeLessThanOrEqual(dataNow + 4 * slackPerRegion);
		const punchedBlocks = blocksTouched(straddling.offset, straddling.data.length);
		const changedData = blocksTouched(rewrite.offset, rewrite.data.length) + blocksTouched(added.offset, added.data.length);
		expect(changed.changedBlocks).toBe(punchedBlocks + changedData);
		expect(changed.ownedBlocks).toBe(changedData);

		// And: each point restores to the file as it was, sparse (only about its data allocated).
		const restores = [
			{point: full, expected: expectedSparseHash(size, regions), data},
			{point: unchanged, expected: expectedSparseHash(size, regions), data},
			{point: changed, expected: expectedSparseHash(size, now), data: dataNow},
		];
		for (const {point, expected, data: held} of restores) {
			const target = join(dir, `restore-${point.id}.img`);
			await runRestore(repo, 'vm', point.id, {to: target, pool});
			expect(sparseHash(target), `rp${point.id}`).toBe(expected);
			// Whole blocks are written: each region may round out to a block either side.
			expect(allocatedBytes(target), `rp${point.id} allocated`).toBeLessThanOrEqual(held + 5 * (2 * blockSize + slackPerRegion));
			execFileSync('rm', [target]);
		}

		repo.close();
	});

	it('walks the extents from the current position, joining data segments and clipping to the size', () => {
		// Given: a 1 GiB file with data at [4 MiB, 5 MiB) and in its last 4 KiB.
		const dir = makeTempDir('strata-holes-');
		const path = join(dir, 'small.img');
		makeSparseFile(path, GiB, [
			{offset: 4 * MiB, data: randomBytes(MiB)},
			{offset: GiB - 4096, data: randomBytes(4096)},
		]);
		const fd = openSync(path, 'r');
		try {
			const extents = new DataExtents(fd, GiB);
			// Then: holes, data, partial overlaps, the last page, and nothing past the end.
			expect(extents.within(0, 2 * MiB)).toEqual([]);
			expect(extents.nextData(0)).toBe(4 * MiB);
			expect(extents.within(3 * MiB, 5 * MiB)).toEqual([MiB, 2 * MiB]);
			expect(extents.within(4 * MiB + 100, 4 * MiB + 200)).toEqual([0, 100]);
			expect(extents.within(4 * MiB + 512 * 1024, 6 * MiB)).toEqual([0, 512 * 1024]);
			expect(extents.nextData(5 * MiB)).toBe(GiB - 4096);
			expect(extents.within(GiB - 2 * MiB, GiB + MiB)).toEqual([2 * MiB - 4096, 2 * MiB]);
			expect(extents.within(GiB, GiB + MiB)).toEqual([]);
			expect(extents.nextData(GiB)).toBe(GiB);
		} finally {
			closeSync(fd);
		}
	});

	it('takes everything as data where the filesystem cannot tell (lseek SEEK_DATA fails with EINVAL)', () => {
		// Given: a file of procfs, whose lseek knows no SEEK_DATA (checked here, so the test means what it says).
		const fd = openSync('/proc/cpuinfo', 'r');
		try {
			const {seekSync} = createRequire(import.meta.url)('fs-ext') as {seekSync(fd: number, position: number, whence: number): number};
			expect(() => seekSync(fd, 0, 3)).toThrow(expect.objectContaining({code: 'EINVAL'}));
			const extents = new DataExtents(fd, 10 * MiB);
			// Then: all data, so a capture reads every byte as it did before holes were asked for.
			expect(extents.within(0, 2 * MiB)).toEqual([0, 2 * MiB]);
			expect(extents.nextData(3 * MiB)).toBe(3 * MiB);
			expect(extents.within(9 * MiB, 12 * MiB)).toEqual([0, MiB]);
		} finally {
			closeSync(fd);
		}
	});
});
