/**
 * Packs written and read back, with direct I/O (the temporary folder's ext4 here) and through the page cache (tmpfs
 * under /dev/shm, which refuses direct I/O): objects of odd sizes, some larger than the write buffer, must come back
 * byte for byte at the offsets the writer reported, and a pack's size must be exactly its contents.
 */
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {closeSync, openSync, readSync, writeSync} from 'node:fs';
import {Codec, contentHash, ObjectKind, PackReader, packPath, PackWriter, readPackIndex} from '../../../source/engine/store/index.js';
import {makeTempDir} from '../../helpers/tmp.js';

const folders: Array<{name: string; path: () => string}> = [{name: 'a disk folder', path: () => makeTempDir()}];
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/strata-test-') : undefined;
if (shm) folders.push({name: 'tmpfs (no direct I/O)', path: () => shm});
afterAll(() => {
	if (shm) rmSync(shm, {recursive: true, force: true});
});

describe.each(folders)('packs in $name', ({path}) => {
	it.each([
		{mode: 'synchronous writes', background: false},
		{mode: 'background writes', background: true},
	])('reads back every object at the offset the writer reported ($mode)', async ({background}) => {
		// Given a repository-like folder and objects from a few bytes to 5 MiB (past the 2 MiB write buffer)
		const root = path();
		const packsDir = join(root, 'packs');
		const tmpDir = join(root, 'tmp');
		mkdirSync(packsDir, {recursive: true});
		mkdirSync(tmpDir, {recursive: true});
		const sizes = [1, 41, 4095, 4096, 4097, 16_384, 5 * 1024 * 1024, 3, 12_345, 1024 * 1024 + 7, ...Array.from({length: 40}, (_, index) => 300_000 + index * 4093)];
		const objects = sizes.map(size => randomBytes(size));

		// When they are written into packs of about 2 MiB (a pack is sealed once it reaches that)
		// (in background mode several staging buffers and packs are being written at once, drained now and then)
		const writer = new PackWriter(packsDir, tmpDir, 2 * 1024 * 1024, background);
		const written = [];
		for (const [index, data] of objects.entries()) {
			written.push(writer.add(contentHash(data), data, data.length, Codec.Raw));
			if (index % 7 === 6) await writer.drain();
		}

		if (background) expect(() => writer.finish()).toThrow(/settle/);
		await writer.settle();
		const packs = writer.finish();

		// Then each pack file is exactly as long as the writer says, and every object reads back intact
		expect(packs.length).toBeGreaterThan(1);
		for (const pack of packs) expect(statSync(packPath(packsDir, pack.name)).size).toBe(pack.size);
		const reader = new PackReader(packsDir);
		const locations = written.map(object => ({packName: packs[object.pack]!.name, offset: object.offset, storedLength: object.storedLength}));
		for (const [index, location] of locations.entries()) {
			const read = reader.readStored(location);
			expect(read?.stored.equals(objects[index]!), `object ${index}`).toBe(true);
			expect(read?.hash.equals(contentHash(objects[index]!))).toBe(true);
		}

		const many = await reader.readMany(locations);
		expect('payload' in many && Buffer.from(many.payload).equals(Buffer.concat(objects))).toBe(true);
		reader.close();
	});

	it('discards every pack it wrote in background mode once its writes are idle', async () => {
		// Given packs being written in the background, some sealed and one open (in a folder of its own: tmpfs is shared)
		const root = mkdtempSync(join(path(), 'discard-'));
		const packsDir = join(root, 'packs');
		const tmpDir = join(root, 'tmp');
		mkdirSync(packsDir, {recursive: true});
		mkdirSync(tmpDir, {recursive: true});
		const writer = new PackWriter(packsDir, tmpDir, 2 * 1024 * 1024, true);
		for (let index = 0; index < 30; index++) {
			const data = randomBytes(300_000);
			writer.add(contentHash(data), data, data.length, Codec.Raw);
		}

		// When it is discarded: not while writes run, then once they are idle
		expect(() => writer.discard()).toThrow(/idle/);
		await writer.idle();
		writer.discard();

		// Then no pack file is left, sealed or partial
		expect(readdirSync(tmpDir)).toEqual([]);
		expect(readdirSync(packsDir, {recursive: true}).filter(name => String(name).endsWith('.pack'))).toEqual([]);
	});

	it('reports a pack that is shorter than the catalog says', async () => {
		const root = path();
		mkdirSync(join(root, 'p'), {recursive: true});
		mkdirSync(join(root, 't'), {recursive: true});
		const writer = new PackWriter(join(root, 'p'), join(root, 't'));
		const data = randomBytes(10_000);
		const object = writer.add(contentHash(data), data, data.length, Codec.Raw);
		const [pack] = writer.finish();
		const reader = new PackReader(join(root, 'p'));
		const location = {packName: pack!.name, offset: object.offset, storedLength: object.storedLength + 1};
		expect(await reader.readMany([location])).toEqual({failed: location});
		reader.close();
	});

	it('ends every pack with an index that lists each object, and notices a damaged index', async () => {
		// Given a pack holding data objects and a manifest
		const root = mkdtempSync(join(path(), 'index-'));
		mkdirSync(join(root, 'p'), {recursive: true});
		mkdirSync(join(root, 't'), {recursive: true});
		const writer = new PackWriter(join(root, 'p'), join(root, 't'));
		const objects = [randomBytes(5000), randomBytes(1), randomBytes(16_384), Buffer.from('{"point":1}')];
		const written = objects.map((data, index) => writer.add(contentHash(data), data, data.length + index, Codec.Raw, index === 3 ? ObjectKind.Manifest : ObjectKind.Data));
		const [pack] = writer.finish();
		const path_ = packPath(join(root, 'p'), pack!.name);

		// When its index is read from the file alone
		const index = readPackIndex(path_);

		// Then it lists every object: offset, lengths, codec, kind and hash, as written
		expect('entries' in index).toBe(true);
		if (!('entries' in index)) return;
		expect(index.entries.map(entry => [entry.offset, entry.storedLength, entry.rawLength, entry.kind, entry.hash.toString('hex')])).toEqual(
			written.map((object, position) => [object.offset, object.storedLength, object.storedLength + position, position === 3 ? ObjectKind.Manifest : ObjectKind.Data, contentHash(objects[position]!).toString('hex')]),
		);
		expect(index.dataEnd).toBe(written.at(-1)!.offset + written.at(-1)!.storedLength);

		// And a flipped byte in the index is found, while the objects themselves still read back
		const fd = openSync(path_, 'r+');
		const byte = Buffer.alloc(1);
		readSync(fd, byte, 0, 1, index.dataEnd + 12);
		writeSync(fd, Buffer.from([byte[0]! ^ 0xff]), 0, 1, index.dataEnd + 12);
		closeSync(fd);
		expect(readPackIndex(path_)).toEqual({problem: expect.stringMatching(/index damaged/)});
		const reader = new PackReader(join(root, 'p'));
		const many = await reader.readMany(written.map(object => ({packName: pack!.name, offset: object.offset, storedLength: object.storedLength})));
		expect('payload' in many && Buffer.from(many.payload).equals(Buffer.concat(objects))).toBe(true);
		reader.close();
	});
});
