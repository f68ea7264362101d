/**
 * The volume restore against narrow functions: `locate` and `decode` are small real functions over objects held in
 * memory, written with plain file writes, so what the restore writes (and leaves alone) is checked byte for byte
 * without a repository, a catalog or codec workers.
 */
import {randomBytes} from 'node:crypto';
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {StrataError} from '../../../../source/engine/errors.js';
import type {ObjectReader} from '../../../../source/engine/sources/object-reader.js';
import {restoreDisks} from '../../../../source/engine/sources/volume/restore.js';
import type {RestoreTarget} from '../../../../source/engine/sources/volume/restore-targets.js';
import {makeTempDir} from '../../../helpers/tmp.js';

const blockSize = 4096;

/** Objects by id, read by a reader that writes their bytes where the restore asks. */
function memoryReader(objects: ReadonlyMap<number, Uint8Array>): ObjectReader<{id: number}> {
	return {
		locate: ids => new Map(ids.filter(id => objects.has(id)).map(id => [id, {id}])),
		async decode(located, writeTo) {
			if (!writeTo) return;
			located.forEach((object, index) => {
				const bytes = objects.get(object.id)!;
				writeSync(writeTo.fd, bytes, 0, bytes.length, writeTo.positions[index]);
			});
		},
		inFlight: 2,
	};
}

function fileTarget(path: string, size: number, exists = false): RestoreTarget {
	return {disk: {id: 1, name: 'disk.img', path: '/source/disk.img'}, size, path, exists, isBlockDevice: false, rdev: 0};
}

describe('restoreDisks', () => {
	it('writes every block from its object, leaves zero blocks as holes, and renames the file into place', async () => {
		// Given: 700 blocks (more than one batch), a hole of 400 blocks, objects shared by several blocks, and a short
		// last block, as a disk whose size is not a multiple of the block size is captured.
		const blockCount = 700;
		const size = (blockCount - 1) * blockSize + 1000;
		const objects = new Map<number, Uint8Array>([
			[1, randomBytes(blockSize)],
			[2, randomBytes(blockSize)],
			[3, randomBytes(blockSize)],
			[4, randomBytes(1000)],
		]);
		const objectIds = new Float64Array(blockCount);
		for (let index = 0; index < blockCount - 1; index++) objectIds[index] = index >= 100 && index < 500 ? 0 : 1 + (index % 3);
		objectIds[blockCount - 1] = 4;
		const expected = Buffer.alloc(size);
		objectIds.forEach((id, index) => {
			if (id !== 0) expected.set(objects.get(id)!, index * blockSize);
		});
		const dir = makeTempDir();
		const path = join(dir, 'disk.img');
		const phases = new Set<string>();

		// When
		const written = await restoreDisks([fileTarget(path, size)], {
			itemName: 'vm',
			rpId: 7,
			blockSize,
			maps: new Map([[1, {objectIds, blockCount}]]),
			reader: memoryReader(objects),
			onProgress: progress => phases.add(progress.phase ?? ''),
		});

		// Then: the same bytes, the hole not allocated, no temporary file left beside it.
		expect(written).toEqual([{disk: 'disk.img', path, size}]);
		expect(readFileSync(path).equals(expected)).toBe(true);
		const holeBytes = 400 * blockSize;
		expect(statSync(path).blocks * 512).toBeLessThan(size - holeBytes / 2);
		expect(readdirSync(dir)).toEqual(['disk.img']);
		expect([...phases]).toEqual(['writing']);
	});

	it('stops at an object the repository lacks with the error the CLI shows, leaving the old file as it was', async () => {
		// Given: a target that exists (a --force restore) and a block map naming object 99, which locate does not know.
		const dir = makeTempDir();
		const path = join(dir, 'disk.img');
		writeFileSync(path, 'the old contents');
		const objectIds = Float64Array.from([1, 0, 99, 1]);

		// When
		const restoring = restoreDisks([fileTarget(path, 4 * blockSize, true)], {
			itemName: 'vm',
			rpId: 7,
			blockSize,
			maps: new Map([[1, {objectIds, blockCount: objectIds.length}]]),
			reader: memoryReader(new Map([[1, randomBytes(blockSize)]])),
		});

		// Then: `strata: object 99 needed by rp7 is not in the catalog. Run \`strata verify\` to see the damage`.
		const error = await restoring.catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(StrataError);
		expect(error).toMatchObject({code: 'OBJECT_MISSING', message: 'object 99 needed by rp7 is not in the catalog', hint: 'Run `strata verify` to see the damage'});
		expect(readFileSync(path, 'utf8')).toBe('the old contents');
		expect(readdirSync(dir)).toEqual(['disk.img']);
		expect(existsSync(join(dir, '.disk.img.strata-restore-' + process.pid))).toBe(false);
	});
});
