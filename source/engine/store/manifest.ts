/**
 * Records: the objects that make a repository describe itself, so its catalog can be rebuilt from the packs alone
 * (`strata catalog rebuild`). They are objects like any other (hashed, listed in their pack's index, kind Manifest or
 * State), stored raw, and their first byte says what they are:
 *
 *   'H' head       JSON: a recovery point as the catalog holds it (item, type, trigger, base, times, retention, changed
 *                  blocks, meta, disks) with the hashes of its parts, in order
 *   'B' block part the point's own block-map entries: disk id u32 LE | block index u48 LE | flags u8 | hash (32 bytes,
 *                  only with flag 1); flag 1: the entry names an object (else the block became zero), flag 2: the
 *                  object is charged to this point (it pays for its stored bytes)
 *   'R' recipe part a dump point's recipe steps in order: flags u8 | hash (32); flag 2 as above
 *   'T' tombstone  JSON: a point that was deleted (merged away on expiry, purged)
 *   'S' state      JSON: items (with disks, settings, policy, protection state), policies and settings
 *
 * Every head, tombstone and state carries a repository-wide sequence number (`seq`, counted in the catalog) and the
 * wall-clock time it was written (`writtenAt`, ms): rebuild takes, per point, the record with the highest (seq,
 * writtenAt), and the newest state. Two records share a seq only when the operation that wrote the first was killed
 * before its commit (the counter is kept in the same transaction), so the one written later wins. A part is at most
 * about 4 MiB, so neither writing nor rebuilding holds a whole block map in memory.
 */
import type {RecordedDisk, RecordedItem, RecordedPoint, RecordedPolicy} from '../catalog/manifests.js';
import {hashLength} from './format.js';

export const recordTag = {head: 0x48, block: 0x42, recipe: 0x52, tombstone: 0x54, state: 0x53} as const;

/** Bytes of one block-map entry at most, and how many go in one part (under 4 MiB). */
export const blockEntryLength = 4 + 6 + 1 + hashLength;
/** 16,384 entries (~700 KiB) a part: a page of rows read back from the catalog is garbage once encoded, and pages of 90,000 (~3.8 MiB, with their row arrays ~40 MB) made a 4 GiB full peak 150 MiB above a 256 MiB one. */
export const blockEntriesPerPart = 16_384;
export const recipeStepLength = 1 + hashLength;
export const recipeStepsPerPart = 16_384;

export const entryHasObject = 1;
export const entryCharged = 2;

export type ManifestDisk = RecordedDisk;
export type ManifestPoint = RecordedPoint;

export type ManifestHead = {v: 1; seq: number; writtenAt: number; point: ManifestPoint; partKind: 'block' | 'recipe'; parts: string[]; entries: number};
export type Tombstone = {v: 1; seq: number; writtenAt: number; pointId: number};

export type StateItem = RecordedItem;
export type StatePolicy = RecordedPolicy;

export type RepositoryState = {v: 1; seq: number; writtenAt: number; items: StateItem[]; policies: StatePolicy[]; settings: Record<string, string>};

export type BlockEntry = {diskId: number; blockIndex: number; hash: Buffer | null; charged: boolean};
export type RecipeStep = {hash: Buffer; charged: boolean};

function tagged(tag: number, json: unknown): Buffer {
	return Buffer.concat([Buffer.of(tag), Buffer.from(JSON.stringify(json), 'utf8')]);
}

export function encodeHead(head: ManifestHead): Buffer {
	return tagged(recordTag.head, head);
}

export function encodeTombstone(tombstone: Tombstone): Buffer {
	return tagged(recordTag.tombstone, tombstone);
}

export function encodeState(state: RepositoryState): Buffer {
	return tagged(recordTag.state, state);
}

export function encodeBlockPart(entries: readonly BlockEntry[]): Buffer {
	const bytes = Buffer.alloc(1 + entries.length * blockEntryLength);
	bytes[0] = recordTag.block;
	let at = 1;
	for (const entry of entries) {
		bytes.writeUInt32LE(entry.diskId, at);
		bytes.writeUIntLE(entry.blockIndex, at + 4, 6);
		bytes[at + 10] = (entry.hash ? entryHasObject : 0) | (entry.charged ? entryCharged : 0);
		at += 11;
		if (entry.hash) {
			entry.hash.copy(bytes, at, 0, hashLength);
			at += hashLength;
		}
	}

	return bytes.subarray(0, at);
}

export function encodeRecipePart(steps: readonly RecipeStep[]): Buffer {
	const bytes = Buffer.alloc(1 + steps.length * recipeStepLength);
	bytes[0] = recordTag.recipe;
	steps.forEach((step, index) => {
		const at = 1 + index * recipeStepLength;
		bytes[at] = entryHasObject | (step.charged ? entryCharged : 0);
		step.hash.copy(bytes, at + 1, 0, hashLength);
	});
	return bytes;
}

/** A decoded record, by its tag; undefined when the bytes are not a record this build knows. */
export type DecodedRecord =
	| {tag: 'head'; head: ManifestHead}
	| {tag: 'tombstone'; tombstone: Tombstone}
	| {tag: 'state'; state: RepositoryState}
	| {tag: 'block'; entries: BlockEntry[]}
	| {tag: 'recipe'; steps: RecipeStep[]};

function json<T>(bytes: Buffer): T | undefined {
	try {
		const value = JSON.parse(bytes.subarray(1).toString('utf8')) as T & {v?: number};
		return value.v === 1 ? value : undefined;
	} catch {
		return undefined;
	}
}

export function decodeRecord(bytes: Buffer): DecodedRecord | undefined {
	switch (bytes[0]) {
		case recordTag.head: {
			const head = json<ManifestHead>(bytes);
			return head && {tag: 'head', head};
		}

		case recordTag.tombstone: {
			const tombstone = json<Tombstone>(bytes);
			return tombstone && {tag: 'tombstone', tombstone};
		}

		case recordTag.state: {
			const state = json<RepositoryState>(bytes);
			return state && {tag: 'state', state};
		}

		case recordTag.block: {
			const entries: BlockEntry[] = [];
			for (let at = 1; at < bytes.length; ) {
				if (at + 11 > bytes.length) return undefined;
				const flags = bytes[at + 10]!;
				const hasObject = (flags & entryHasObject) !== 0;
				if (hasObject && at + 11 + hashLength > bytes.length) return undefined;
				entries.push({
					diskId: bytes.readUInt32LE(at),
					blockIndex: bytes.readUIntLE(at + 4, 6),
					hash: hasObject ? Buffer.from(bytes.subarray(at + 11, at + 11 + hashLength)) : null,
					charged: (flags & entryCharged) !== 0,
				});
				at += 11 + (hasObject ? hashLength : 0);
			}

			return {tag: 'block', entries};
		}

		case recordTag.recipe: {
			if ((bytes.length - 1) % recipeStepLength !== 0) return undefined;
			const steps: RecipeStep[] = [];
			for (let at = 1; at < bytes.length; at += recipeStepLength) {
				steps.push({hash: Buffer.from(bytes.subarray(at + 1, at + 1 + hashLength)), charged: (bytes[at]! & entryCharged) !== 0});
			}

			return {tag: 'recipe', steps};
		}

		default:
			return undefined;
	}
}

/** Whether record `a` supersedes record `b` (higher seq; on a tie, written later). */
export function newerRecord(a: {seq: number; writtenAt: number}, b: {seq: number; writtenAt: number} | undefined): boolean {
	return b === undefined || a.seq > b.seq || (a.seq === b.seq && a.writtenAt > b.writtenAt);
}
