/**
 * Restores' decoding through the real codec workers: objects written into a real pack (zstd and raw, and a short
 * last one) are read back by the workers, checked against their hashes and written at their positions, whole 4 KiB
 * runs through an O_DIRECT descriptor and the rest through the page cache; a damaged object writes nothing.
 */
import {randomBytes} from 'node:crypto';
import {closeSync, constants, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {compress} from 'zstd-napi';
import {afterAll, describe, expect, it} from 'vitest';
import {Codec, CodecPool, contentHash, packPath, PackWriter, type PackedObject} from '../../../source/engine/store/index.js';
import {makeTempDir} from '../../helpers/tmp.js';

const blockSize = 16 * 1024;
const folders: Array<{name: string; path: () => string}> = [{name: 'a disk folder', path: () => makeTempDir()}];
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/strata-test-') : undefined;
if (shm) folders.push({name: 'tmpfs', path: () => mkdtempSync(join(shm, 'case-'))});
afterAll(() => {
	if (shm) rmSync(shm, {recursive: true, force: true});
});

/** Text that zstd shrinks, different in every block. */
function textBlock(length: number, seed: number): Buffer {
	return Buffer.from(Array.from({length: length / 8}, (_, index) => `w${(index * seed) % 97}`.padEnd(8, ' ')).join('').slice(0, length), 'latin1');
}

/** A folder with packs holding `blocks`, each stored compressed when that is smaller; returns where each went. */
function packOf(root: string, blocks: Buffer[], packBytes?: number): {packsDir: string; objects: PackedObject[]} {
	const packsDir = join(root, 'packs');
	const tmpDir = join(root, 'tmp');
	mkdirSync(packsDir, {recursive: true});
	mkdirSync(tmpDir, {recursive: true});
	const writer = new PackWriter(packsDir, tmpDir, packBytes);
	const written = blocks.map(block => {
		const compressed = compress(block, {compressionLevel: 1});
		const zstd = compressed.length < block.length;
		return writer.add(contentHash(block), zstd ? compressed : block, block.length, zstd ? Codec.Zstd : Codec.Raw);
	});
	const packs = writer.finish();
	const objects = written.map(object => ({packName: packs[object.pack]!.name, offset: object.offset, storedLength: object.storedLength, hash: Buffer.from(object.hash), codec: object.codec, rawLength: object.rawLength}));
	return {packsDir, objects};
}

/** The target as a restore opens it: sized with holes, plus an O_DIRECT descriptor where the file system has one. */
function openTarget(path: string, size: number): {fd: number; directFd: number | undefined; close(): void} {
	const fd = openSync(path, 'w', 0o600);
	ftruncateSync(fd, size);
	let directFd: number | undefined;
	try {
		directFd = openSync(path, constants.O_WRONLY | constants.O_DIRECT);
	} catch {}

	return {
		fd,
		directFd,
		close() {
			if (directFd !== undefined) closeSync(directFd);
			closeSync(fd);
		},
	};
}

describe.each(folders)('CodecPool.decodeFromPacks in $name', ({path}) => {
	it('writes every object at its position, checked, direct where aligned and through the page cache elsewhere', async () => {
		// Given: text blocks (stored zstd), random ones (stored raw), a hole of three blocks, a block at an unaligned
		// position (only the page cache takes it) and a short last block, as a disk of odd size ends.
		const root = path();
		const blocks = [textBlock(blockSize, 3), randomBytes(blockSize), textBlock(blockSize, 5), randomBytes(blockSize), textBlock(blockSize, 7), randomBytes(1000)];
		const {packsDir, objects} = packOf(root, blocks);
		expect(new Set(objects.map(object => object.codec))).toEqual(new Set([Codec.Zstd, Codec.Raw]));
		const positions = Float64Array.from([0, 1, 2, 6, 7.5, 9].map(index => index * blockSize));
		const size = 9 * blockSize + 1000;
		const expected = Buffer.alloc(size);
		blocks.forEach((block, index) => expected.set(block, positions[index]));
		const target = openTarget(join(root, 'disk.img'), size);
		const pool = new CodecPool(2);

		// When
		try {
			await pool.decodeFromPacks(packsDir, objects, {fd: target.fd, directFd: target.directFd, positions});
		} finally {
			target.close();
			await pool.close();
		}

		// Then: the same bytes, and the hole between them left unallocated.
		expect(readFileSync(join(root, 'disk.img')).equals(expected)).toBe(true);
		expect(statSync(join(root, 'disk.img')).blocks * 512).toBeLessThan(size);
	});

	it('returns objects from several packs in the order asked, repeated ones included', async () => {
		// Given: 12 blocks in packs of about 8 KiB (a pack sealed after each random block), asked for out of order, one of them twice.
		const root = path();
		const blocks = Array.from({length: 12}, (_, index) => (index % 2 === 0 ? textBlock(blockSize, index + 2) : randomBytes(blockSize)));
		const {packsDir, objects} = packOf(root, blocks, 8 * 1024);
		expect(new Set(objects.map(object => object.packName)).size).toBeGreaterThan(3);
		const order = [11, 0, 5, 6, 1, 10, 2, 9, 3, 8, 4, 7, 0];
		const pool = new CodecPool(2);

		// When
		let result;
		try {
			result = await pool.decodeFromPacks(packsDir, order.map(index => objects[index]!));
		} finally {
			await pool.close();
		}

		// Then
		expect(Buffer.from(result.data).equals(Buffer.concat(order.map(index => blocks[index]!)))).toBe(true);
	});

	it('writes nothing of a batch holding a damaged object, and names it', async () => {
		// Given: the pack's copy of the third object has one byte flipped.
		const root = path();
		const blocks = [randomBytes(blockSize), randomBytes(blockSize), randomBytes(blockSize)];
		const {packsDir, objects} = packOf(root, blocks);
		const pack = packPath(packsDir, objects[2]!.packName);
		const bytes = readFileSync(pack);
		// Inside the object's stored bytes whether its location names them or a header before them.
		bytes[objects[2]!.offset + objects[2]!.storedLength - 1]! ^= 0xff;
		writeFileSync(pack, bytes);
		const target = openTarget(join(root, 'disk.img'), 3 * blockSize);
		const pool = new CodecPool(1);

		// When
		const error = await pool.decodeFromPacks(packsDir, objects, {fd: target.fd, directFd: target.directFd, positions: Float64Array.from([0, 1, 2].map(index => index * blockSize))}).catch((caught: unknown) => caught);
		target.close();
		await pool.close();

		// Then
		expect(error).toMatchObject({code: 'OBJECT_DAMAGED'});
		expect((error as Error).message).toContain(objects[2]!.hash.toString('hex').slice(0, 12));
		expect(readFileSync(join(root, 'disk.img')).equals(Buffer.alloc(3 * blockSize))).toBe(true);
	});
});
