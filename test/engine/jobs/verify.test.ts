/**
 * The verifier without a repository: a Map stands for the catalog, another for the packs, and the decoder re-hashes
 * raw (uncompressed) objects. Each object must be counted ok, missing or damaged, with the problem verify prints.
 */
import {describe, expect, it} from 'vitest';
import type {StoredObject} from '../../../source/engine/catalog/objects.js';
import {Verifier, type VerifierSeams} from '../../../source/engine/jobs/verifier.js';
import type {JobProgress} from '../../../source/engine/model/index.js';
import {Codec, contentHash, contentProblem, headerProblem, packProblem} from '../../../source/engine/store/index.js';

/** A small store: objects 1..count, each `size` bytes, all held by pack "p1". */
function store(count: number, size = 100) {
	const catalog = new Map<number, StoredObject>();
	const packs = new Map<number, {hash: Buffer; stored: Buffer}>();
	for (let id = 1; id <= count; id++) {
		const stored = Buffer.alloc(size, id);
		const hash = contentHash(stored);
		catalog.set(id, {id, hash, packName: 'p1', offset: id * size, storedLength: size, rawLength: size, codec: Codec.Raw});
		packs.set(id, {hash, stored});
	}

	const seams = (readData: boolean): VerifierSeams => ({
		locate: id => catalog.get(id),
		read: object => packs.get(object.id),
		decode: readData ? async batch => batch.flatMap(({object, stored}, position) => (contentHash(stored).equals(object.hash) ? [] : [position])) : undefined,
		decodeConcurrency: 2,
	});
	return {catalog, packs, seams, ids: [...catalog.keys()]};
}

describe('the verifier', () => {
	it('counts every object ok when the catalog and the packs agree', async () => {
		const {seams, ids} = store(10);
		const verifier = new Verifier(seams(true), {batchSize: 3});
		await verifier.run(ids);
		expect({ok: verifier.ok, missing: verifier.missing, damaged: verifier.damagedCount}).toEqual({ok: 10, missing: 0, damaged: 0});
	});

	it('counts an object the catalog lacks and one its pack lacks as missing', async () => {
		const {catalog, packs, seams, ids} = store(10);
		catalog.delete(3);
		packs.delete(7);
		const verifier = new Verifier(seams(false));
		await verifier.run(ids);
		expect({ok: verifier.ok, missing: verifier.missing, damaged: verifier.damagedCount}).toEqual({ok: 8, missing: 2, damaged: 0});
		expect(verifier.damaged.map(object => [object.objectId, object.problem])).toEqual([
			[3, 'missing from the catalog'],
			[7, packProblem],
		]);
	});

	it('counts a wrong header as damaged, and wrong contents only when it reads the data', async () => {
		const {packs, seams, ids} = store(10);
		packs.set(2, {hash: contentHash(Buffer.from('other')), stored: packs.get(2)!.stored});
		packs.set(9, {hash: packs.get(9)!.hash, stored: Buffer.alloc(100, 0xff)});

		const headers = new Verifier(seams(false));
		await headers.run(ids);
		expect({ok: headers.ok, missing: headers.missing, damaged: headers.damagedCount}).toEqual({ok: 9, missing: 0, damaged: 1});

		const contents = new Verifier(seams(true), {batchSize: 4});
		await contents.run(ids);
		expect({ok: contents.ok, missing: contents.missing, damaged: contents.damagedCount}).toEqual({ok: 8, missing: 0, damaged: 2});
		expect(contents.damaged.map(object => [object.objectId, object.problem])).toEqual([
			[2, headerProblem],
			[9, contentProblem],
		]);
	});

	it('reports progress in stored bytes up to the total, and stops when its signal is aborted', async () => {
		const {seams, ids} = store(3000, 10);
		const seen: JobProgress[] = [];
		await new Verifier(seams(true), {totalBytes: 30_000, onProgress: progress => seen.push(progress)}).run(ids);
		expect(seen.at(0)!.doneBytes).toBe(0);
		expect(seen.slice(1, -1).every(progress => progress.doneBytes > 0 && progress.doneBytes < 30_000)).toBe(true);
		expect(seen.at(-1)).toMatchObject({doneBytes: 30_000, totalBytes: 30_000});

		const controller = new AbortController();
		controller.abort();
		await expect(new Verifier(seams(false), {signal: controller.signal}).run(ids)).rejects.toThrow();
	});
});
