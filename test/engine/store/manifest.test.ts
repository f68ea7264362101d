/** Records (store/manifest.ts): what a manifest's parts, head, tombstone and state encode decodes back, and damage is refused. */
import {describe, expect, it} from 'vitest';
import {blockEntriesPerPart, blockEntryLength, contentHash, decodeRecord, encodeBlockPart, encodeHead, encodeRecipePart, encodeTombstone, type ManifestHead, newerRecord} from '../../../source/engine/store/index.js';

const hash = (n: number) => contentHash(Buffer.from(`block ${n}`));

describe('records', () => {
	it('round-trips block-map parts (objects, zero blocks, charges, block indexes past 2^32) within 4 MiB', () => {
		const entries = [
			{diskId: 1, blockIndex: 0, hash: hash(0), charged: true},
			{diskId: 1, blockIndex: 7, hash: null, charged: false},
			{diskId: 2, blockIndex: 2 ** 40 + 3, hash: hash(1), charged: false},
		];
		expect(decodeRecord(encodeBlockPart(entries))).toEqual({tag: 'block', entries});
		expect(1 + blockEntriesPerPart * blockEntryLength).toBeLessThanOrEqual(4 * 1024 * 1024);
		// A part cut short is not a part.
		expect(decodeRecord(encodeBlockPart(entries).subarray(0, 30))).toBeUndefined();
	});

	it('round-trips recipe parts, heads and tombstones; an unknown tag or version is refused', () => {
		const steps = [{hash: hash(2), charged: true}, {hash: hash(2), charged: false}];
		expect(decodeRecord(encodeRecipePart(steps))).toEqual({tag: 'recipe', steps});
		const head: ManifestHead = {
			v: 1,
			seq: 4,
			writtenAt: 1000,
			point: {id: 3, itemId: 1, itemName: 'vm', type: 'incremental', trigger: 'on-demand', baseId: 2, createdAt: '2026-01-01T00:00:00.000Z', retainUntil: null, changedBlocks: 1, meta: '{}', disks: []},
			partKind: 'block',
			parts: [hash(3).toString('hex')],
			entries: 1,
		};
		expect(decodeRecord(encodeHead(head))).toEqual({tag: 'head', head});
		expect(decodeRecord(encodeTombstone({v: 1, seq: 5, writtenAt: 1, pointId: 3}))).toEqual({tag: 'tombstone', tombstone: {v: 1, seq: 5, writtenAt: 1, pointId: 3}});
		expect(decodeRecord(Buffer.from('Xjunk'))).toBeUndefined();
		expect(decodeRecord(Buffer.from('H{"v":2}'))).toBeUndefined();
	});

	it('takes the higher sequence number, and on a tie (a killed change\'s record) the one written later', () => {
		expect(newerRecord({seq: 2, writtenAt: 1}, {seq: 1, writtenAt: 9})).toBe(true);
		expect(newerRecord({seq: 2, writtenAt: 5}, {seq: 2, writtenAt: 4})).toBe(true);
		expect(newerRecord({seq: 2, writtenAt: 4}, {seq: 2, writtenAt: 5})).toBe(false);
		expect(newerRecord({seq: 1, writtenAt: 1}, undefined)).toBe(true);
	});
});
