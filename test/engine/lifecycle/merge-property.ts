/**
 * Property (run by merge.property.test.ts and merge-more.property.test.ts, half the histories each, side by side):
 * through any sequence of writes, full/incremental/differential/on-demand backups and expiries in any order, every surviving recovery point restores byte-identically to what the disk held at its capture, and the
 * owned blocks of all points add up to the live block-map entries (each entry owned exactly once).
 */
import {createHash} from 'node:crypto';
import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {addVolumeItem, CodecPool, expirePoint, Repository, runBackup, runRestore} from '../../../source/engine/index.js';
import {makeTempDir} from '../../helpers/tmp.js';
import {makeDisk, writeBlock} from '../../helpers/volume.js';

const blockSize = 4096;
const blocks = 3;
/** Histories in all; the two test files that call `describeMergeProperty` share them, so they run side by side. */
export const runs = Number(process.env['STRATA_PROPERTY_RUNS'] ?? 200);

type Step =
	| {kind: 'write'; index: number; fill: number}
	| {kind: 'backup'; type: 'full' | 'incremental' | 'differential'}
	| {kind: 'expire'; pick: number};

const step: fc.Arbitrary<Step> = fc.oneof(
	{weight: 3, arbitrary: fc.record({kind: fc.constant('write' as const), index: fc.integer({min: 0, max: blocks - 1}), fill: fc.integer({min: 0, max: 2})})},
	{weight: 3, arbitrary: fc.record({kind: fc.constant('backup' as const), type: fc.constantFrom('full' as const, 'incremental' as const, 'differential' as const)})},
	{weight: 2, arbitrary: fc.record({kind: fc.constant('expire' as const), pick: fc.nat()})},
);

function sha256(path: string): string {
	return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The property over `count` random histories (and the fixed examples), as one test of its own file. */
export function describeMergeProperty(count: number, label: string): void {
	let pool: CodecPool;
	beforeAll(() => {
		pool = new CodecPool(1);
	});
	afterAll(async () => {
		await pool.close();
	});

	describe(`merge on expiry (property, ${label})`, () => {
		it(`keeps every surviving point restorable and ownership exact over ${count} random histories`, async () => {
			await fc.assert(
				fc.asyncProperty(fc.array(step, {minLength: 1, maxLength: 20}), async steps => {
					const dir = makeTempDir('strata-prop-');
					const repo = Repository.init(join(dir, 'repo'));
					try {
						const disk = join(dir, 'disk.img');
						makeDisk(disk, blocks, blockSize);
						addVolumeItem(repo, {name: 'vm', volumes: [disk], blockSize});
						const expected = new Map<number, string>();
						let restores = 0;
						for (const action of steps) {
							if (action.kind === 'write') {
								// fill 0 writes zeros (a block that becomes "no data"); otherwise a byte pattern per fill.
								writeBlock(disk, action.index, action.fill, blockSize);
							} else if (action.kind === 'backup') {
								const point = await runBackup(repo, 'vm', {type: action.type, pool});
								expected.set(point.id, sha256(disk));
							} else {
								const alive = [...expected.keys()].sort((a, b) => a - b);
								if (alive.length < 2) continue;
								// Any point but the newest (kept while the item exists).
								const victim = alive[action.pick % (alive.length - 1)]!;
								expirePoint(repo, victim);
								expected.delete(victim);
							}

							for (const [id, hash] of expected) {
								const target = join(dir, `restore-${restores++}.img`);
								await runRestore(repo, 'vm', id, {to: target, pool});
								expect(sha256(target), `rp${id} after ${JSON.stringify(action)}`).toBe(hash);
								rmSync(target);
							}

							const owned = repo.db.prepare('SELECT coalesce(sum(owned_blocks), 0) FROM recovery_points').pluck().get();
							const entries = repo.db.prepare('SELECT count(*) FROM block_map WHERE object_id IS NOT NULL').pluck().get();
							expect(owned).toBe(entries);
							const orphanEntries = repo.db.prepare('SELECT count(*) FROM block_map WHERE rp_id NOT IN (SELECT id FROM recovery_points)').pluck().get();
							expect(orphanEntries).toBe(0);
						}
					} finally {
						repo.close();
						rmSync(dir, {recursive: true, force: true});
					}
				}),
				{
					numRuns: count,
					examples: [
						// A block that became zero in an incremental must stay zero for its successor when that incremental expires.
						[[
							{kind: 'write', index: 1, fill: 2},
							{kind: 'backup', type: 'incremental'},
							{kind: 'write', index: 1, fill: 0},
							{kind: 'backup', type: 'incremental'},
							{kind: 'backup', type: 'incremental'},
							{kind: 'expire', pick: 1},
						]],
					],
				},
			);
		});
	});
}
