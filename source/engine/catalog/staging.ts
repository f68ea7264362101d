/**
 * Staging: what a backup found new, kept out of memory until its commit. The objects it wrote, its block-map entries
 * and its recipe go, in batches, into a throw-away SQLite file of its own in the repository's tmp/ folder
 * (`stage-<random>.<pid>.partial`); the commit attaches that file to the catalog and moves its rows into the real
 * tables (INSERT ... SELECT) in the one transaction that inserts the point, so a point still appears whole or not at
 * all, and the backup's memory does not grow with the volume (a 16 KiB block took ~99 bytes until the commit).
 *
 * Why a file of its own rather than tables in catalog.db: nobody but this backup ever reads the rows, so they need no
 * durability (no journal, no fsync) and take no catalog write lock (other writers' commits, job progress and the
 * console's polling of data_version are not disturbed); a killed backup's rows are one file, which gc removes with
 * the partial packs of dead writers (same name pattern), and the catalog never grows by free pages once they are
 * deleted. Objects are found again by hash within the same backup through an index on a 48-bit prefix of their
 * hash, behind a fixed 2 MiB Bloom filter: a block of unique data (a full of random data: all of them) costs no
 * look-up at all, and the memory stays the same at any volume size (the filter's false positives, 0.5% at 16 GiB of
 * unique data, only cost a look-up).
 *
 * Staged rows never name a pack's catalog row (it does not exist until the commit): an object's `pack` is the index
 * of the pack in the backup's own writer, as before. Rows are written before their packs are durable; nothing reads
 * them before the commit, which runs only after every pack is (see commitBackup).
 */
import {randomBytes} from 'node:crypto';
import {readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import type {Database as SqliteDatabase, Statement} from 'better-sqlite3';
import {crashPoint} from '../crash.js';
import {isProcessAlive} from '../lock.js';
import {hashLength, type WrittenObject} from '../model/index.js';
import {type CatalogHandle, connectionOf} from './connection.js';
import {RowInserter} from './row-inserter.js';

/** The schema name a staging file is attached under for the commit. */
export const stagingSchema = 'staged';

const schema = `
	CREATE TABLE objects (
		seq INTEGER PRIMARY KEY,
		key INTEGER NOT NULL,
		hash BLOB NOT NULL,
		pack INTEGER NOT NULL,
		offset INTEGER NOT NULL,
		stored_length INTEGER NOT NULL,
		raw_length INTEGER NOT NULL,
		codec INTEGER NOT NULL
	);
	CREATE INDEX objects_key ON objects (key);
	CREATE TABLE entries (
		disk_id INTEGER NOT NULL,
		block_index INTEGER NOT NULL,
		ref INTEGER NOT NULL,
		PRIMARY KEY (disk_id, block_index)
	) WITHOUT ROWID;
	CREATE TABLE recipe (seq INTEGER PRIMARY KEY, ref INTEGER NOT NULL);
`;

/** Rows gathered in memory before one staging write (~1-5 ms of work; 200 KiB of buffers in all). */
const objectsPerBatch = 2048;
const entriesPerBatch = 8192;
const recipePerBatch = 8192;

const namePattern = /^stage-[0-9a-f]+\.(\d+)\.partial$/;

/** A 48-bit prefix of a hash as a number: the staged objects' index key (hashes are uniform). */
function keyOf(hash: Uint8Array): number {
	return hash[0]! + hash[1]! * 2 ** 8 + hash[2]! * 2 ** 16 + hash[3]! * 2 ** 24 + hash[4]! * 2 ** 32 + hash[5]! * 2 ** 40;
}

/** A fixed-size Bloom filter over hashes (uniform already: their own bytes pick the bits). */
class HashFilter {
	private static readonly bits = 2 ** 24; // 2 MiB
	private readonly words = new Int32Array(HashFilter.bits / 32);

	add(hash: Uint8Array): void {
		for (let probe = 0; probe < 3; probe++) {
			const bit = this.bitOf(hash, probe);
			this.words[bit >>> 5]! |= 1 << (bit & 31);
		}
	}

	mayHave(hash: Uint8Array): boolean {
		for (let probe = 0; probe < 3; probe++) {
			const bit = this.bitOf(hash, probe);
			if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
		}

		return true;
	}

	private bitOf(hash: Uint8Array, probe: number): number {
		// Bytes 8 on: the first six make the index key, which would correlate with the filter's answers.
		const at = 8 + probe * 4;
		return (hash[at]! | (hash[at + 1]! << 8) | (hash[at + 2]! << 16) | (hash[at + 3]! << 24)) & (HashFilter.bits - 1);
	}
}

/**
 * The page cache a backup lets each of its SQLite connections (the catalog's and its staging file's) fill: 2 MiB.
 * better-sqlite3's default is 16 MB a connection, which a large backup fills (its base's block map and objects, its
 * staged rows) while a small one does not: the backup's peak memory then grew with the volume.
 */
export const backupCacheKiB = 2048;

/** The page cache of a staging file as the commit reads it (once, in order). */
export const stagingReadCacheKiB = 512;

/** Caps the catalog connection's page cache for a backup (see backupCacheKiB); it stays capped for the connection. */
export function capCacheForBackup(catalog: CatalogHandle): void {
	connectionOf(catalog).pragma(`cache_size = -${backupCacheKiB}`);
}

/** Removes staging files of dead processes (a killed backup's) from a tmp/ folder. */
export function removeDeadStaging(tmpDir: string): void {
	let names: string[];
	try {
		names = readdirSync(tmpDir);
	} catch {
		return;
	}

	for (const name of names) {
		const pid = Number(namePattern.exec(name)?.[1]);
		if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) rmSync(join(tmpDir, name), {force: true});
	}
}

/**
 * One backup's staging file. Objects get sequence numbers 0, 1, ... in the order they were added (the backup refers
 * to the k-th as `-(k + 1)`), recipe steps likewise; entries are keyed by disk and block index.
 */
export class Staging {
	readonly path: string;
	/** Objects staged so far (and the next one's sequence number). */
	objectCount = 0;
	/** Recipe steps staged so far. */
	recipeLength = 0;
	private db: SqliteDatabase | undefined;
	private readonly filter = new HashFilter();
	// Rows not written to the file yet, in typed arrays filled again after each write: rows held in JavaScript arrays
	// lived long enough to be promoted, and the garbage they left was freed only by full collections (the peak memory
	// of a backup then grew with the volume).
	private objectsWaiting = 0;
	private readonly hashes = new Uint8Array(objectsPerBatch * hashLength);
	private readonly packs = new Uint32Array(objectsPerBatch);
	private readonly offsets = new Float64Array(objectsPerBatch);
	private readonly storedLengths = new Uint32Array(objectsPerBatch);
	private readonly rawLengths = new Uint32Array(objectsPerBatch);
	private readonly codecs = new Uint8Array(objectsPerBatch);
	private entriesWaiting = 0;
	private readonly entryDisks = new Float64Array(entriesPerBatch);
	private readonly entryIndexes = new Float64Array(entriesPerBatch);
	private readonly entryRefs = new Float64Array(entriesPerBatch);
	private recipeWaiting = 0;
	private readonly recipeRefs = new Float64Array(recipePerBatch);
	private objectInserter: RowInserter | undefined;
	private entryInserter: RowInserter | undefined;
	private recipeInserter: RowInserter | undefined;
	private byKey: Statement | undefined;

	constructor(tmpDir: string) {
		this.path = join(tmpDir, `stage-${randomBytes(8).toString('hex')}.${process.pid}.partial`);
	}

	/** The sequence number of a staged object with this hash, if any. */
	find(hash: Uint8Array): number | undefined {
		if (!this.filter.mayHave(hash)) return undefined;
		// Rarely here (a block seen before in this backup, or one of the filter's few false positives): look in the file.
		this.flush();
		if (!this.byKey) return undefined;
		const target = Buffer.from(hash.buffer, hash.byteOffset, hashLength);
		for (const [seq, stored] of this.byKey.all(keyOf(hash)) as Array<[number, Buffer]>) if (stored.equals(target)) return seq;
		return undefined;
	}

	/** Stages an object this backup wrote (its hash is copied); returns its sequence number. */
	addObject(object: WrittenObject): number {
		const row = this.objectsWaiting++;
		this.hashes.set(object.hash.subarray(0, hashLength), row * hashLength);
		this.filter.add(object.hash);
		this.packs[row] = object.pack;
		this.offsets[row] = object.offset;
		this.storedLengths[row] = object.storedLength;
		this.rawLengths[row] = object.rawLength;
		this.codecs[row] = object.codec;
		const seq = this.objectCount++;
		if (this.objectsWaiting === objectsPerBatch) this.flush();
		return seq;
	}

	/** Stages a block-map entry: ref is a catalog object id, `-(seq + 1)` for a staged object, or 0 for no data. */
	addEntry(diskId: number, blockIndex: number, ref: number): void {
		const row = this.entriesWaiting++;
		this.entryDisks[row] = diskId;
		this.entryIndexes[row] = blockIndex;
		this.entryRefs[row] = ref;
		if (this.entriesWaiting === entriesPerBatch) this.flush();
	}

	/** Forgets a disk's entries: before it is read again (it changed while it was read). */
	dropEntries(diskId: number): void {
		this.flush();
		this.open().prepare('DELETE FROM entries WHERE disk_id = ?').run(diskId);
	}

	/** Appends recipe steps (object refs as for entries, never 0). */
	addRecipe(refs: readonly number[]): void {
		for (const ref of refs) {
			this.recipeRefs[this.recipeWaiting++] = ref;
			this.recipeLength++;
			if (this.recipeWaiting === recipePerBatch) this.flush();
		}
	}

	/** Writes what is gathered in memory to the file. */
	flush(): void {
		if (this.objectsWaiting + this.entriesWaiting + this.recipeWaiting === 0) return;
		const db = this.open();
		db.transaction(() => {
			const firstSeq = this.objectCount - this.objectsWaiting;
			for (let row = 0; row < this.objectsWaiting; row++) {
				const hash = Buffer.from(this.hashes.buffer, row * hashLength, hashLength);
				this.objectInserter!.add(firstSeq + row, keyOf(hash), hash, this.packs[row], this.offsets[row], this.storedLengths[row], this.rawLengths[row], this.codecs[row]);
			}

			this.objectInserter!.finish();
			for (let row = 0; row < this.entriesWaiting; row++) this.entryInserter!.add(this.entryDisks[row], this.entryIndexes[row], this.entryRefs[row]);
			this.entryInserter!.finish();
			const firstStep = this.recipeLength - this.recipeWaiting;
			for (let row = 0; row < this.recipeWaiting; row++) this.recipeInserter!.add(firstStep + row, this.recipeRefs[row]);
			this.recipeInserter!.finish();
		})();
		this.objectsWaiting = 0;
		this.entriesWaiting = 0;
		this.recipeWaiting = 0;
		crashPoint('staged-batch');
	}

	/** Writes everything and closes the file, for the commit to attach it. */
	close(): void {
		this.flush();
		// Even an empty backup leaves a file with the tables, so the commit's statements find them.
		this.open();
		this.db?.close();
		this.db = undefined;
	}

	/** Closes and removes the file: after the commit, or for a backup that failed. */
	discard(): void {
		try {
			this.db?.close();
		} finally {
			this.db = undefined;
			rmSync(this.path, {force: true});
		}
	}

	private open(): SqliteDatabase {
		if (this.db) return this.db;
		const fresh = this.objectInserter === undefined;
		const db = new Database(this.path);
		// Nobody else reads this file, and a crash makes it garbage: no journal, no fsync, one lock for the duration.
		db.pragma('journal_mode = OFF');
		db.pragma('synchronous = OFF');
		db.pragma('locking_mode = EXCLUSIVE');
		db.pragma(`cache_size = -${backupCacheKiB}`);
		if (fresh) db.exec(schema);
		this.db = db;
		this.objectInserter = new RowInserter(db, 'objects (seq, key, hash, pack, offset, stored_length, raw_length, codec)', 8);
		this.entryInserter = new RowInserter(db, 'entries (disk_id, block_index, ref)', 3);
		this.recipeInserter = new RowInserter(db, 'recipe (seq, ref)', 2);
		this.byKey = db.prepare('SELECT seq, hash FROM objects WHERE key = ?').raw();
		return db;
	}
}
