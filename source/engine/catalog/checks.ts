/**
 * The catalog's side of verify and repair, as named queries over one repository's catalog: what a check covers, where
 * its objects live, the damage marks, and the repair's commit. jobs/verify.ts and jobs/repair.ts hold no SQL.
 */
import type {WrittenPack} from '../model/index.js';
import type {Item} from '../model/index.js';
import {clearMarks, type Damage, damagedBlocks, damagedChunks, forgetRepairs, markDamaged, markDamagedByHash, markedObjects, type Repair, repairedObjectIds} from './damage.js';
import {getItemById, listItems, requireItem} from './items.js';
import type {CatalogOwner} from './jobs.js';
import {ObjectIndex} from './objects.js';
import {clearPendingPacks, pendingHooks} from './pending-packs.js';
import {pointsNeeding, pointsToCheck} from './point-needs.js';
import {commitRepairs} from './points.js';

export type CheckedPoint = ReturnType<typeof pointsToCheck>[number];

export type Findings = {damaged: readonly Damage[]; intactAgain: readonly number[]; reported: readonly number[]};

/** The queries verify and repair make of a repository's catalog: use one per job (it prepares its look-ups once). */
export function checkQueries({db}: CatalogOwner) {
	return {
		/** What SQLite's quick_check finds wrong with the catalog file itself (empty when it is sound). */
		catalogProblems: (): string[] => (db.pragma('quick_check') as Array<{quick_check: string}>).map(row => row.quick_check).filter(text => text !== 'ok'),
		/** The objects the points (of one item, or all) reference, and their stored bytes (of those the catalog has). */
		objectsToVerify(itemId: number | undefined): {ids: number[]; storedBytes: number} {
			const scope = itemId === undefined ? '' : 'WHERE p.item_id = ?';
			const parameters = itemId === undefined ? [] : [itemId, itemId];
			const referenced = `SELECT b.object_id FROM block_map b JOIN recovery_points p ON p.id = b.rp_id ${scope ? `${scope} AND` : 'WHERE'} b.object_id IS NOT NULL
				UNION SELECT r.object_id FROM recipes r JOIN recovery_points p ON p.id = r.rp_id ${scope}`;
			const ids = db.prepare(referenced).pluck().all(...parameters) as number[];
			const storedBytes = db.prepare(`SELECT coalesce(sum(stored_length), 0) FROM objects WHERE id IN (${referenced})`).pluck().get(...parameters) as number;
			return {ids, storedBytes};
		},
		objectIndex: () => new ObjectIndex(db),
		/** The name of the item with this id (for a job row), if there is one. */
		itemName: (id: number): string | undefined => getItemById(db, id)?.name,
		/** The items a repair covers: the one named, or all. */
		itemsToRepair: (name: string | undefined): Item[] => (name === undefined ? listItems(db) : [requireItem(db, name)]),
		pointsToCheck: (itemId: number | undefined) => pointsToCheck(db, itemId),
		pointsNeeding: (points: readonly CheckedPoint[], objectIds: ReadonlySet<number>) => pointsNeeding(db, points, objectIds),
		markedObjects: () => markedObjects(db),
		repairedObjectIds: () => repairedObjectIds(db),
		damagedBlocks: (itemId: number) => damagedBlocks(db, itemId),
		damagedChunks: (itemId: number) => damagedChunks(db, itemId),
		/** Marks what a check found damaged, clears what it found whole again, forgets reported repairs: one transaction. */
		recordFindings(findings: Findings, at: string): void {
			db.transaction(() => {
				markDamaged(db, findings.damaged, at);
				clearMarks(db, findings.intactAgain, at);
				forgetRepairs(db, findings.reported);
			}).immediate();
		},
		markDamagedByHash: (hash: Buffer, problem: string, wholePack: boolean, at: string) => markDamagedByHash(db, hash, problem, wholePack, at),
		pendingHooks: (catalogPath: string) => pendingHooks(db, catalogPath),
		clearPendingPacks: (names: readonly string[]) => clearPendingPacks(db, names),
		commitRepairs: (packs: readonly WrittenPack[], repairs: readonly Repair[], at: string) => commitRepairs(db, packs, repairs, at),
	};
}

export type CheckQueries = ReturnType<typeof checkQueries>;
