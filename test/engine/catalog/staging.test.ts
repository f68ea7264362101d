/**
 * A backup's staging file (new objects, block-map entries and recipe out of memory until the commit) and the base's
 * block map read a window at a time, against the whole map resolved at once: real SQLite files, real backups.
 */
import {randomBytes} from 'node:crypto';
import {existsSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {blockMapReaders, resolveBlockMap} from '../../../source/engine/catalog/points.js';
import {removeDeadStaging, Staging} from '../../../source/engine/catalog/staging.js';
import {addVolumeItem, CodecPool, Repository, runBackup} from '../../../source/engine/index.js';
import {Codec, hashLength} from '../../../source/engine/store/index.js';
import {makeTempDir} from '../../helpers/tmp.js';
import {makeDisk, writeBlock} from '../../helpers/volume.js';

function object(hash: Buffer, index: number) {
	return {hash, pack: index % 3, offset: index * 100, storedLength: 90 + (index % 7), rawLength: 16384, codec: Codec.Zstd};
}

describe('staging', () => {
	it('finds every staged object by hash, written to the file or still waiting; commits nothing it was not given', () => {
		const dir = makeTempDir('strata-staging-');
		const staging = new Staging(dir);
		const hashes = Array.from({length: 5000}, () => randomBytes(hashLength));
		// Past two batches of 2048: most are in the file, the last ones still in memory.
		const seqs = hashes.map((hash, index) => staging.addObject(object(hash, index)));
		expect(seqs).toEqual(hashes.map((_hash, index) => index));
		for (const index of [0, 2047, 2048, 4095, 4096, 4999]) expect(staging.find(hashes[index]!)).toBe(index);
		expect(staging.find(randomBytes(hashLength))).toBeUndefined();
		expect(staging.objectCount).toBe(5000);

		for (let index = 0; index < 10_000; index++) staging.addEntry(1 + (index % 2), index, index % 5 === 0 ? 0 : -(index % 5000) - 1);
		staging.dropEntries(2);
		staging.addEntry(2, 7, 42);
		staging.addRecipe([-1, 5, -3]);
		staging.close();

		const db = new Database(staging.path, {readonly: true});
		try {
			const rows = db.prepare('SELECT seq, hash, pack, offset, stored_length AS storedLength FROM objects ORDER BY seq').all() as Array<{seq: number; hash: Buffer; pack: number; offset: number; storedLength: number}>;
			expect(rows).toEqual(hashes.map((hash, index) => ({seq: index, hash, pack: index % 3, offset: index * 100, storedLength: 90 + (index % 7)})));
			expect(db.prepare('SELECT disk_id, count(*) FROM entries GROUP BY disk_id').raw().all()).toEqual([[1, 5000], [2, 1]]);
			expect(db.prepare('SELECT ref FROM entries WHERE disk_id = 2').pluck().all()).toEqual([42]);
			expect(db.prepare('SELECT seq, ref FROM recipe ORDER BY seq').raw().all()).toEqual([[0, -1], [1, 5], [2, -3]]);
		} finally {
			db.close();
		}

		staging.discard();
		expect(existsSync(staging.path)).toBe(false);
	});

	it('removes the staging files of dead processes only', () => {
		const dir = makeTempDir('strata-staging-');
		const dead = join(dir, 'stage-00aa.999999999.partial');
		const alive = join(dir, `stage-00bb.${process.pid}.partial`);
		const other = join(dir, 'something-else');
		for (const path of [dead, alive, other]) writeFileSync(path, '');
		removeDeadStaging(dir);
		expect([existsSync(dead), existsSync(alive), existsSync(other)]).toEqual([false, true, true]);
	});
});

describe('block map read a window at a time', () => {
	let pool: CodecPool;
	beforeAll(() => {
		pool = new CodecPool(1);
	});
	afterAll(async () => {
		await pool.close();
	});

	it('gives every block the object and hash the whole resolved map gives, in order or not, and blanks what it is told to', async () => {
		const blockSize = 4096;
		const dir = makeTempDir('strata-window-');
		const repo = Repository.init(join(dir, 'repo'));
		try {
			const disk = join(dir, 'disk.img');
			makeDisk(disk, 40, blockSize);
			for (let index = 0; index < 40; index += 2) writeBlock(disk, index, randomBytes(blockSize), blockSize);
			addVolumeItem(repo, {name: 'vm', volumes: [disk], blockSize});
			await runBackup(repo, 'vm', {type: 'full', pool});
			// An incremental over it: new data, a block zeroed, a block that was a hole written.
			writeBlock(disk, 4, randomBytes(blockSize), blockSize);
			writeBlock(disk, 6, 0, blockSize);
			writeBlock(disk, 7, randomBytes(blockSize), blockSize);
			const point = await runBackup(repo, 'vm', {type: 'incremental', pool});

			const whole = [...resolveBlockMap(repo, point.id, blockSize, {withHashes: true}).values()][0]!;
			const reader = [...blockMapReaders(repo, point.id, blockSize, {withHashes: true, windowBlocks: 3}).values()][0]!;
			expect(reader.blockCount).toBe(40);
			const order = [...Array.from({length: 41}, (_, index) => index), 5, 0, 39, 12, 13, 1];
			for (const index of order) {
				expect(reader.objectId(index), `block ${index}`).toBe(index < 40 ? whole.objectIds[index] : 0);
				if (index < 40) expect(Buffer.from(reader.hashAt(index)!)).toEqual(Buffer.from(whole.hashes!.subarray(index * hashLength, (index + 1) * hashLength)));
			}

			const copied = new Uint8Array(8 * hashLength);
			reader.copyHashes(copied, 36, 8);
			expect(Buffer.from(copied.subarray(0, 4 * hashLength))).toEqual(Buffer.from(whole.hashes!.subarray(36 * hashLength)));
			expect(copied.subarray(4 * hashLength).every(byte => byte === 0)).toBe(true);
			expect(whole.objectIds[6]).toBe(0);
			expect(whole.objectIds[4]).not.toBe(0);

			const damaged = whole.objectIds[4]!;
			const blanked = [...blockMapReaders(repo, point.id, blockSize, {withHashes: true, blank: id => id === damaged, windowBlocks: 3}).values()][0]!;
			expect(blanked.objectId(4)).toBe(damaged);
			expect(blanked.hashAt(4)!.every(byte => byte === 0)).toBe(true);
			expect(Buffer.from(blanked.hashAt(2)!)).toEqual(Buffer.from(whole.hashes!.subarray(2 * hashLength, 3 * hashLength)));
		} finally {
			repo.close();
		}
	});
});
