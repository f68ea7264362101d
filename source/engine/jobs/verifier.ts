/**
 * The verifier: checks a list of objects through three narrow functions and counts what it found, so its logic runs
 * (and is tested) without a repository. An object is
 * - missing: the catalog does not locate it, or its pack no longer holds it (gone or too short);
 * - damaged: its pack holds other bytes than the catalog says (header), or, with a decoder, its contents do not
 *   decompress to its hash;
 * - ok otherwise.
 */
import type {StoredObject} from '../catalog/objects.js';
import type {JobProgress} from '../model/index.js';
import {contentProblem, headerProblem, packProblem} from '../store/index.js';
import {throwIfAborted} from '../abort.js';

export type DamagedObject = {objectId: number; hash: string | undefined; pack: string | undefined; problem: string};

/** An object with the stored bytes its pack holds for it (read for the header check, passed on to be decoded). */
export type StoredRead = {object: StoredObject; stored: Buffer};

export type VerifierSeams = {
	/** Where an object lives, or undefined when the catalog lacks it. */
	locate(id: number): StoredObject | undefined;
	/** The stored bytes and the header's hash that the object's pack holds, or undefined when the pack lacks them. */
	read(object: StoredObject): {hash: Buffer; stored: Buffer} | undefined;
	/** Decodes a batch and resolves to the positions (in the batch) of the objects that do not hash back: with readData. */
	decode?: ((batch: readonly StoredRead[]) => Promise<number[]>) | undefined;
	/** How many decode batches may be in flight at once (the decoder's workers, twice over). */
	decodeConcurrency?: number | undefined;
};

export type VerifierOptions = {
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	/** The stored bytes of all the objects to check: the progress total (0 when unknown). */
	totalBytes?: number | undefined;
	/** Objects per decode batch. */
	batchSize?: number | undefined;
};

const defaultBatchSize = 256;
/** Progress is reported (and the signal checked) once every this many objects. */
const progressEvery = 1024;

/** Checks objects one by one, counting them; `run` once per verify. */
export class Verifier {
	ok = 0;
	missing = 0;
	/** Every object found missing or damaged, with what is wrong. */
	readonly damaged: DamagedObject[] = [];
	private checkedBytes = 0;
	private batch: StoredRead[] = [];
	private inFlight: Array<{batch: StoredRead[]; result: Promise<number[]>}> = [];
	private readonly started = Date.now();

	constructor(
		private readonly seams: VerifierSeams,
		private readonly options: VerifierOptions = {},
	) {}

	/** Objects found damaged (not missing). */
	get damagedCount(): number {
		return this.damaged.length - this.missing;
	}

	/** Checks every object of `ids`: each ends up counted ok, missing or damaged. */
	async run(ids: readonly number[]): Promise<void> {
		for (const [position, id] of ids.entries()) {
			if (position % progressEvery === 0) {
				throwIfAborted(this.options.signal);
				this.report(false);
			}

			// Awaited only when a decode batch must settle: an await per object would cost a turn of the event loop each.
			if (this.check(id)) await this.settle();
		}

		this.send();
		await this.settle();
		this.report(true);
	}

	/** Checks one object; true when the decode batches in flight must settle before the next. */
	private check(id: number): boolean {
		const object = this.seams.locate(id);
		if (!object) {
			this.found({objectId: id, hash: undefined, pack: undefined, problem: 'missing from the catalog'}, true);
			return false;
		}

		this.checkedBytes += object.storedLength;
		const read = this.seams.read(object);
		if (!read) {
			this.found(damageOf(object, packProblem), true);
			return false;
		}

		if (!read.hash.equals(object.hash)) {
			this.found(damageOf(object, headerProblem), false);
			return false;
		}

		if (!this.seams.decode) {
			this.ok++;
			return false;
		}

		this.batch.push({object, stored: read.stored});
		if (this.batch.length < (this.options.batchSize ?? defaultBatchSize)) return false;
		this.send();
		return this.inFlight.length >= (this.seams.decodeConcurrency ?? 1);
	}

	private found(damage: DamagedObject, missing: boolean): void {
		this.damaged.push(damage);
		if (missing) this.missing++;
	}

	private send(): void {
		if (!this.seams.decode || this.batch.length === 0) return;
		this.inFlight.push({batch: this.batch, result: this.seams.decode(this.batch)});
		this.batch = [];
	}

	private async settle(): Promise<void> {
		for (const {batch, result} of this.inFlight) {
			const bad = new Set(await result);
			for (const [position, {object}] of batch.entries()) {
				if (bad.has(position)) this.found(damageOf(object, contentProblem), false);
				else this.ok++;
			}
		}

		this.inFlight = [];
	}

	private report(done: boolean): void {
		const total = this.options.totalBytes ?? 0;
		const doneBytes = done ? total : Math.min(this.checkedBytes, total);
		const seconds = (Date.now() - this.started) / 1000;
		const bytesPerSecond = seconds > 0 ? doneBytes / seconds : 0;
		const eta = bytesPerSecond > 0 ? {etaSeconds: Math.max(0, (total - doneBytes) / bytesPerSecond)} : {};
		this.options.onProgress?.({doneBytes, totalBytes: total, bytesPerSecond, ...eta, phase: 'checking objects'});
	}
}

function damageOf(object: StoredObject, problem: string): DamagedObject {
	return {objectId: object.id, hash: object.hash.toString('hex'), pack: object.packName, problem};
}
