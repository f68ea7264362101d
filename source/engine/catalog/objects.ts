/** Catalog queries for stored objects: dedup look-ups and where an object lives. */
import type {Database, Statement} from 'better-sqlite3';
import type {Codec} from '../store/index.js';

export type StoredObject = {
	id: number;
	hash: Buffer;
	packName: string;
	offset: number;
	storedLength: number;
	rawLength: number;
	codec: Codec;
};

/** Prepared look-ups, made once per job. */
export class ObjectIndex {
	private readonly byHash: Statement;
	private readonly byId: Statement;

	constructor(db: Database) {
		this.byHash = db.prepare('SELECT id FROM objects WHERE hash = ?').pluck();
		this.byId = db.prepare(
			'SELECT o.id, o.hash, p.name AS packName, o.offset, o.stored_length AS storedLength, o.raw_length AS rawLength, o.codec FROM objects o JOIN packs p ON p.id = o.pack_id WHERE o.id = ?',
		);
	}

	/** The id of the object with this hash, if the repository has it. */
	idOf(hash: Buffer): number | undefined {
		return this.byHash.get(hash) as number | undefined;
	}

	/** Where an object lives. */
	get(id: number): StoredObject | undefined {
		return this.byId.get(id) as StoredObject | undefined;
	}
}
