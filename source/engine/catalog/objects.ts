/** Catalog queries for stored objects: dedup look-ups and where an object lives. */
import type {Database, Statement} from 'better-sqlite3';
import {RuntimeError} from '../errors.js';
import {formatRecoveryPointId, type StoredObject} from '../model/index.js';

export type {StoredObject} from '../model/index.js';

/** Well under SQLite's limit on bound parameters. */
const maxIdsPerQuery = 500;

const selectObject = 'SELECT o.id, o.hash, p.name AS packName, o.offset, o.stored_length AS storedLength, o.raw_length AS rawLength, o.codec FROM objects o JOIN packs p ON p.id = o.pack_id';

/** Prepared look-ups, made once per job. */
export class ObjectIndex {
	private readonly byHash: Statement;
	private readonly byId: Statement;
	private readonly byIds = new Map<number, Statement>();

	constructor(private readonly db: Database) {
		this.byHash = db.prepare('SELECT id FROM objects WHERE hash = ?').pluck();
		this.byId = db.prepare(`${selectObject} WHERE o.id = ?`);
	}

	/** The id of the object with this hash, if the repository has it. */
	idOf(hash: Buffer): number | undefined {
		return this.byHash.get(hash) as number | undefined;
	}

	/** Where an object lives. */
	get(id: number): StoredObject | undefined {
		return this.byId.get(id) as StoredObject | undefined;
	}

	/** Where each of many objects lives, in one query per call (a restore asks for a batch at a time); missing ids are absent. */
	getMany(ids: readonly number[]): Map<number, StoredObject> {
		const found = new Map<number, StoredObject>();
		for (let from = 0; from < ids.length; from += maxIdsPerQuery) {
			const part = ids.slice(from, from + maxIdsPerQuery);
			let statement = this.byIds.get(part.length);
			if (!statement) {
				statement = this.db.prepare(`${selectObject} WHERE o.id IN (${part.map(() => '?').join(',')})`);
				this.byIds.set(part.length, statement);
			}

			for (const row of statement.all(...part) as StoredObject[]) found.set(row.id, row);
		}

		return found;
	}

	/** Where each object a point needs lives, in the order given (ids may repeat); fails naming the first one missing. */
	locate(ids: readonly number[], rpId: number): StoredObject[] {
		return locateAll(idsToFind => this.getMany(idsToFind), ids, rpId);
	}
}

/**
 * Where each object a point needs is, in the order given (ids may repeat), from a look-up that leaves out what the
 * repository lacks; fails naming the first one missing: what every restore says of an object the catalog lost.
 */
export function locateAll<L>(locate: (ids: readonly number[]) => ReadonlyMap<number, L>, ids: readonly number[], rpId: number): L[] {
	const found = locate(ids);
	return ids.map(id => {
		const object = found.get(id);
		if (object === undefined) throw new RuntimeError('OBJECT_MISSING', `object ${id} needed by ${formatRecoveryPointId(rpId)} is not in the catalog`, {hint: 'Run `strata verify` to see the damage'});
		return object;
	});
}
