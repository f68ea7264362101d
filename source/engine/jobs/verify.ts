/**
 * Verify: every object that a recovery point references must be in the catalog and in its pack with a matching
 * header; with readData, each is also decompressed and re-hashed. Damage is reported with the points it affects.
 */
import {markedObjects, repairedObjectIds} from '../catalog/damage.js';
import {ObjectIndex, type StoredObject} from '../catalog/objects.js';
import {pointsNeeding, pointsToCheck} from '../catalog/point-needs.js';
import {enterWriters} from '../repository-locks.js';
import type {Repository} from '../repository.js';
import {CodecPool, contentProblem, type DecodeResult, hashLength, headerProblem, PackReader, packProblem} from '../store/index.js';
import {throwIfAborted} from './abort.js';
import {recordVerifyFindings} from './damage-marks.js';
import {withJob} from './with-job.js';
import type {JobProgress} from '../model/index.js';

export type DamagedObject = {objectId: number; hash: string | undefined; pack: string | undefined; problem: string};

export type VerifyReport = {
	ok: boolean;
	catalogProblems: string[];
	checkedPoints: number;
	checkedObjects: number;
	readData: boolean;
	damaged: DamagedObject[];
	affectedPoints: Array<{item: string; id: number}>;
	/** Objects found damaged earlier that are whole again (stored anew by a backup or `strata repair`). */
	repaired: number;
};

export type VerifyOptions = {
	itemId?: number | undefined;
	readData?: boolean | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
};

const readBatch = 256;

/** Checks the objects behind every recovery point (of one item, or all). */
export async function verifyRepository(repo: Repository, options: VerifyOptions = {}): Promise<VerifyReport> {
	// Counted among the writers (on a repository it may write): gc's deletion then waits for it, so a repack cannot
	// move an object between the catalog read and the pack read and have it reported (and marked) as damaged.
	// A verify of a read-only repository (read-only media) still runs and reports; it just leaves no job row.
	const detail = {itemId: options.itemId ?? null, readData: Boolean(options.readData)};
	const summary = (report: VerifyReport) => ({ok: report.ok, checkedPoints: report.checkedPoints, checkedObjects: report.checkedObjects, damaged: report.damaged.length, repaired: report.repaired});
	return withJob(repo, {kind: 'verify', trigger: 'on-demand', detail, summary, onProgress: options.onProgress}, async onProgress => {
		const gate = repo.readOnly ? undefined : await enterWriters(repo.path, {command: 'verify', signal: options.signal});
		try {
			return await verifyUnderGate(repo, {...options, onProgress});
		} finally {
			gate?.release();
		}
	});
}

async function verifyUnderGate(repo: Repository, options: VerifyOptions): Promise<VerifyReport> {
	const {db} = repo;
	const catalogProblems = (db.pragma('quick_check') as Array<{quick_check: string}>).map(row => row.quick_check).filter(text => text !== 'ok');
	const scope = options.itemId === undefined ? '' : 'WHERE p.item_id = ?';
	const parameters = options.itemId === undefined ? [] : [options.itemId];
	const points = pointsToCheck(db, options.itemId);
	const objectIds = db
		.prepare(
			`SELECT b.object_id FROM block_map b JOIN recovery_points p ON p.id = b.rp_id ${scope ? `${scope} AND` : 'WHERE'} b.object_id IS NOT NULL
			UNION SELECT r.object_id FROM recipes r JOIN recovery_points p ON p.id = r.rp_id ${scope}`,
		)
		.pluck()
		.all(...parameters, ...parameters) as number[];

	const index = new ObjectIndex(db);
	const reader = new PackReader(repo.packsDir);
	const pool = options.readData ? new CodecPool() : undefined;
	const damaged: DamagedObject[] = [];
	try {
		// Objects to decode, with the stored bytes the header check already read.
		let batch: Array<{object: StoredObject; stored: Buffer}> = [];
		let inFlight: Array<{objects: StoredObject[]; result: Promise<DecodeResult>}> = [];
		const settle = async () => {
			for (const {objects, result} of inFlight) {
				for (const position of (await result).damaged) {
					const object = objects[position]!;
					damaged.push({objectId: object.id, hash: object.hash.toString('hex'), pack: object.packName, problem: contentProblem});
				}
			}

			inFlight = [];
		};

		const sendBatch = () => {
			if (!pool || batch.length === 0) return;
			const objects = batch.map(({object}) => object);
			const payload = new Uint8Array(objects.reduce((sum, object) => sum + object.storedLength, 0));
			const hashes = new Uint8Array(objects.length * hashLength);
			let offset = 0;
			for (const [position, {object, stored}] of batch.entries()) {
				payload.set(stored, offset);
				offset += stored.length;
				hashes.set(object.hash, position * hashLength);
			}

			inFlight.push({
				objects,
				result: pool.decode({
					payload: payload.buffer,
					codecs: Uint8Array.from(objects, object => object.codec),
					storedLengths: Uint32Array.from(objects, object => object.storedLength),
					rawLengths: Uint32Array.from(objects, object => object.rawLength),
					hashes,
				}),
			});
			batch = [];
		};

		for (const [position, id] of objectIds.entries()) {
			if (position % 1024 === 0) {
				throwIfAborted(options.signal);
				options.onProgress?.({doneBytes: position, totalBytes: objectIds.length, phase: 'checking objects'});
			}

			const object = index.get(id);
			if (!object) {
				damaged.push({objectId: id, hash: undefined, pack: undefined, problem: 'missing from the catalog'});
				continue;
			}

			const read = reader.readStored(object);
			if (!read) {
				damaged.push({objectId: id, hash: object.hash.toString('hex'), pack: object.packName, problem: packProblem});
				continue;
			}

			if (!read.hash.equals(object.hash)) {
				damaged.push({objectId: id, hash: object.hash.toString('hex'), pack: object.packName, problem: headerProblem});
				continue;
			}

			if (pool) {
				batch.push({object, stored: read.stored});
				if (batch.length >= readBatch) {
					sendBatch();
					if (inFlight.length >= pool.size * 2) await settle();
				}
			}
		}

		sendBatch();
		await settle();
		options.onProgress?.({doneBytes: objectIds.length, totalBytes: objectIds.length, phase: 'checking objects'});
	} finally {
		reader.close();
		await pool?.close();
	}

	const repaired = settleMarks(repo, index, new Set(objectIds), damaged, Boolean(options.readData));
	const damagedIds = new Set(damaged.map(object => object.objectId));
	return {
		ok: damaged.length === 0 && catalogProblems.length === 0,
		catalogProblems,
		checkedPoints: points.length,
		checkedObjects: objectIds.length,
		readData: Boolean(options.readData),
		damaged,
		affectedPoints: pointsNeeding(db, points, damagedIds),
		repaired,
	};
}

/**
 * Squares this check with the damage marks: what it found damaged is marked; a mark on an object it found whole is
 * cleared (a header check cannot clear a content mark: that takes --read-data, so such an object is still reported);
 * repairs made since the last verify are counted (returned) and forgotten. Only objects this check covered count.
 */
function settleMarks(repo: Repository, index: ObjectIndex, checked: ReadonlySet<number>, damaged: DamagedObject[], readData: boolean): number {
	const foundNow = new Set(damaged.map(object => object.objectId));
	const intactAgain: number[] = [];
	for (const mark of markedObjects(repo.db)) {
		if (!checked.has(mark.id) || foundNow.has(mark.id)) continue;
		if (readData || mark.problem !== contentProblem) {
			intactAgain.push(mark.id);
			continue;
		}

		damaged.push({objectId: mark.id, hash: mark.hash.toString('hex'), pack: index.get(mark.id)?.packName, problem: `${mark.problem} (found earlier; --read-data checks it again)`});
	}

	const reported = [...repairedObjectIds(repo.db).filter(id => checked.has(id) && !foundNow.has(id)), ...intactAgain];
	recordVerifyFindings(repo, {damaged: damaged.filter(object => foundNow.has(object.objectId)), intactAgain, reported});
	return reported.length;
}
