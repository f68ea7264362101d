/**
 * Verify: every object that a recovery point references must be in the catalog and in its pack with a matching
 * header; with readData, each is also decompressed and re-hashed. Damage is reported with the points it affects.
 * The checking itself is the Verifier's (verifier.ts); this file hands it the repository's catalog, packs and codec
 * pool, runs it as a 'verify' job, and squares the damage marks with what it found.
 */
import {type CheckQueries, checkQueries} from '../catalog/checks.js';
import type {ObjectIndex} from '../catalog/objects.js';
import type {JobProgress} from '../model/index.js';
import {enterWriters} from '../repository-locks.js';
import type {Repository} from '../repository.js';
import {CodecPool, contentProblem, hashLength, PackReader} from '../store/index.js';
import {recordVerifyFindings} from './damage-marks.js';
import {checkPackAgreement, type PackAgreement} from './rebuild.js';
import {type DamagedObject, type StoredRead, Verifier} from './verifier.js';
import {withJob} from './with-job.js';

export type {DamagedObject} from './verifier.js';

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
	/** Whether the catalog and the packs' own indexes agree (checked when the whole repository is verified). */
	packs: PackAgreement | undefined;
};

export type VerifyOptions = {
	itemId?: number | undefined;
	readData?: boolean | undefined;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
};

/**
 * Checks the objects behind every recovery point (of one item, or all), recorded as a 'verify' job. A read-only
 * repository (read-only media) is verified all the same, without a job row: nothing can be written there; nor is a
 * row written into a catalog that SQLite's quick_check finds damaged.
 */
export async function verifyRepository(repo: Repository, options: VerifyOptions = {}): Promise<VerifyReport> {
	const queries = checkQueries(repo);
	// First, and outside the job: a damaged catalog is not written to, not even a job row (verify then changes no file).
	const catalogProblems = queries.catalogProblems();
	const item = options.itemId === undefined ? undefined : queries.itemName(options.itemId);
	const detail = {readData: Boolean(options.readData)};
	const summary = (report: VerifyReport) => ({ok: report.ok, checkedPoints: report.checkedPoints, checkedObjects: report.checkedObjects, damaged: report.damaged.length, repaired: report.repaired});
	const job = {kind: 'verify', trigger: 'on-demand', itemId: options.itemId, itemName: item, detail, record: catalogProblems.length === 0, summary, onProgress: options.onProgress} as const;
	// Counted among the writers (on a repository it may write): gc's deletion then waits for it, so a repack cannot
	// move an object between the catalog read and the pack read and have it reported (and marked) as damaged. Left
	// after the job's end row is written, as a backup leaves its locks.
	let gate: {release(): void} | undefined;
	try {
		return await withJob(repo, job, async onProgress => {
			gate = repo.readOnly ? undefined : await enterWriters(repo.path, {command: 'verify', signal: options.signal});
			return verifyUnderGate(repo, queries, catalogProblems, {...options, onProgress});
		});
	} finally {
		gate?.release();
	}
}

async function verifyUnderGate(repo: Repository, queries: CheckQueries, catalogProblems: string[], options: VerifyOptions): Promise<VerifyReport> {
	const points = queries.pointsToCheck(options.itemId);
	const objects = queries.objectsToVerify(options.itemId);
	const index = queries.objectIndex();
	const reader = new PackReader(repo.packsDir);
	const pool = options.readData ? new CodecPool() : undefined;
	const verifier = new Verifier(
		{
			locate: id => index.get(id),
			read: object => reader.readStored(object),
			decode: pool ? async batch => decodeBatch(pool, batch) : undefined,
			decodeConcurrency: pool ? pool.size * 2 : undefined,
		},
		{signal: options.signal, onProgress: options.onProgress, totalBytes: objects.storedBytes},
	);
	try {
		await verifier.run(objects.ids);
	} finally {
		reader.close();
		await pool?.close();
	}

	const damaged = [...verifier.damaged];
	// Only on a sound catalog, of the whole repository: a damaged catalog is reported as such, and nothing more read.
	const packs = options.itemId === undefined && catalogProblems.length === 0 ? checkPackAgreement(repo) : undefined;
	const repaired = settleMarks(repo, queries, index, new Set(objects.ids), damaged, Boolean(options.readData));
	return {
		ok: damaged.length === 0 && catalogProblems.length === 0 && (packs?.problems.length ?? 0) === 0,
		catalogProblems,
		checkedPoints: points.length,
		checkedObjects: objects.ids.length,
		readData: Boolean(options.readData),
		damaged,
		affectedPoints: queries.pointsNeeding(points, new Set(damaged.map(object => object.objectId))),
		repaired,
		packs,
	};
}

/** Decodes a batch on the codec pool (one request, stored bytes back to back); resolves to the positions that fail. */
async function decodeBatch(pool: CodecPool, batch: readonly StoredRead[]): Promise<number[]> {
	const payload = new Uint8Array(batch.reduce((sum, {object}) => sum + object.storedLength, 0));
	const hashes = new Uint8Array(batch.length * hashLength);
	let offset = 0;
	for (const [position, {object, stored}] of batch.entries()) {
		payload.set(stored, offset);
		offset += stored.length;
		hashes.set(object.hash, position * hashLength);
	}

	const result = await pool.decode({
		payload: payload.buffer,
		codecs: Uint8Array.from(batch, ({object}) => object.codec),
		storedLengths: Uint32Array.from(batch, ({object}) => object.storedLength),
		rawLengths: Uint32Array.from(batch, ({object}) => object.rawLength),
		hashes,
	});
	return result.damaged;
}

/**
 * Squares this check with the damage marks: what it found damaged is marked; a mark on an object it found whole is
 * cleared (a header check cannot clear a content mark: that takes --read-data, so such an object is still reported);
 * repairs made since the last verify are counted (returned) and forgotten. Only objects this check covered count.
 */
function settleMarks(repo: Repository, queries: CheckQueries, index: ObjectIndex, checked: ReadonlySet<number>, damaged: DamagedObject[], readData: boolean): number {
	const foundNow = new Set(damaged.map(object => object.objectId));
	const intactAgain: number[] = [];
	for (const mark of queries.markedObjects()) {
		if (!checked.has(mark.id) || foundNow.has(mark.id)) continue;
		if (readData || mark.problem !== contentProblem) {
			intactAgain.push(mark.id);
			continue;
		}

		damaged.push({objectId: mark.id, hash: mark.hash.toString('hex'), pack: index.get(mark.id)?.packName, problem: `${mark.problem} (found earlier; --read-data checks it again)`});
	}

	const reported = [...queries.repairedObjectIds().filter(id => checked.has(id) && !foundNow.has(id)), ...intactAgain];
	recordVerifyFindings(repo, {damaged: damaged.filter(object => foundNow.has(object.objectId)), intactAgain, reported});
	return reported.length;
}
