/** A pool of codec worker threads, one per core, so hashing and compression keep both cores busy. */
import {createRequire} from 'node:module';
import {availableParallelism} from 'node:os';
import {pathToFileURL} from 'node:url';
import {Worker, type WorkerOptions} from 'node:worker_threads';
import {BugError, DamagedDataError} from '../errors.js';
import {type DecodeRequest, type DecodeResult, type DecodeTarget, type EncodeRequest, type EncodeResult, transferable, type WorkerRequest} from './codec-protocol.js';
import {type Codec, hashLength} from './format.js';
import type {ObjectLocation} from './format.js';

/** A stored object as a restore decodes it (the catalog's StoredObject is one). */
export type PackedObject = ObjectLocation & {hash: Buffer; codec: Codec; rawLength: number};

/** The problems verify and restores name; a mark with the content one is cleared only by re-reading the data. */
export const packProblem = 'pack missing or too short';
export const headerProblem = 'object header does not match the catalog';
export const contentProblem = 'contents do not match the hash';

type Pending = {resolve(value: unknown): void; reject(error: Error): void};

function startWorker(options: WorkerOptions): Worker {
	if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./codec-worker.js', import.meta.url), options);
	// Under the test runner the engine runs from its TypeScript source, which a worker thread cannot load by itself:
	// the tests' setup bundles the worker's source afresh and names it here; elsewhere (tsx) the worker's source is
	// loaded through tsx, slower to start. Either way no test runs a stale build in dist/.
	const bundle = process.env['STRATA_CODEC_WORKER_BUNDLE'];
	if (bundle) return new Worker(new URL(bundle), options);
	const source = JSON.stringify(new URL('./codec-worker.ts', import.meta.url).href);
	const tsx = JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs'));
	return new Worker(`import(${tsx}).then(api => api.tsImport(${source}, ${source}))`, {...options, eval: true});
}

export class CodecPool {
	private readonly workers: Worker[] = [];
	private readonly pending = new Map<number, Pending>();
	private readonly load: number[] = [];
	private nextId = 1;
	private failure: Error | undefined;

	constructor(size = Math.max(1, Math.min(availableParallelism(), 8))) {
		for (let index = 0; index < size; index++) {
			// Workers allocate little JavaScript (their buffers are outside the heap): a small young generation saves
			// ~10 MiB of resident memory per worker (measured) at no measurable cost in speed.
			const worker = startWorker({resourceLimits: {maxYoungGenerationSizeMb: 4}});
			worker.on('message', (message: {id: number; result?: unknown; error?: string; code?: string}) => {
				const pending = this.pending.get(message.id);
				this.pending.delete(message.id);
				this.load[index]!--;
				if (!pending) return;
				if (message.error === undefined) pending.resolve(message.result);
				else if (message.code?.startsWith('E')) pending.reject(Object.assign(new Error(message.error), {code: message.code}));
				else pending.reject(new BugError(`codec worker failed: ${message.error}`));
			});
			worker.on('error', error => this.fail(error));
			this.workers.push(worker);
			this.load.push(0);
		}
	}

	get size(): number {
		return this.workers.length;
	}

	/** Hashes pieces, skips zero and unchanged ones, compresses the rest. The data buffer is transferred unless shared. */
	encode(request: Omit<EncodeRequest, 'op'>): Promise<EncodeResult> {
		return this.run({op: 'encode', ...request}, transferable([request.data, request.reuse])) as Promise<EncodeResult>;
	}

	/** Decompresses objects (given, or read from their packs) and checks each against its hash. The payload buffer is transferred. */
	decode(request: Omit<DecodeRequest, 'op'>): Promise<DecodeResult> {
		return this.run({op: 'decode', ...request}, request.payload ? [request.payload] : []) as Promise<DecodeResult>;
	}

	/**
	 * Decodes objects that a worker reads from their packs itself (reading then overlaps the other worker's decoding),
	 * each checked against its hash; with `writeTo` the worker writes them there, else they come back in `data`. Fails
	 * naming the first pack that is missing or short, or the first damaged object: nothing of such a batch is written.
	 */
	async decodeFromPacks(packsDir: string, objects: readonly PackedObject[], writeTo?: DecodeTarget): Promise<DecodeResult> {
		const count = objects.length;
		const hashes = new Uint8Array(count * hashLength);
		const codecs = new Uint8Array(count);
		const storedLengths = new Uint32Array(count);
		const rawLengths = new Uint32Array(count);
		const packs = new Uint32Array(count);
		const offsets = new Float64Array(count);
		const packNames: string[] = [];
		for (let index = 0; index < count; index++) {
			const object = objects[index]!;
			hashes.set(object.hash, index * hashLength);
			codecs[index] = object.codec;
			storedLengths[index] = object.storedLength;
			rawLengths[index] = object.rawLength;
			offsets[index] = object.offset;
			// A batch's objects come from a few packs, mostly in runs: look back at the last name before searching.
			let pack = packNames.length - 1;
			if (packNames[pack] !== object.packName) {
				pack = packNames.indexOf(object.packName);
				if (pack < 0) pack = packNames.push(object.packName) - 1;
			}

			packs[index] = pack;
		}

		const result = await this.decode({payload: undefined, readFrom: {packsDir, packNames, packs, offsets}, codecs, storedLengths, rawLengths, hashes, writeTo});
		if (result.unreadable !== undefined) {
			const object = objects[result.unreadable]!;
			throw new DamagedDataError('PACK_DAMAGED', `pack ${object.packName} is missing or shorter than the catalog says`, {hash: object.hash, pack: object.packName, problem: packProblem, packUnreadable: true}, {
				hint: 'Run `strata verify` to see which recovery points it affects; restore another one',
			});
		}

		if (result.damaged.length > 0) {
			const object = objects[result.damaged[0]!]!;
			throw new DamagedDataError('OBJECT_DAMAGED', `object ${object.hash.toString('hex').slice(0, 12)} in pack ${object.packName} is damaged (it does not match its hash)`, {hash: object.hash, pack: object.packName, problem: contentProblem, packUnreadable: false}, {
				hint: 'Run `strata verify --read-data` to see which recovery points it affects; restore another one',
			});
		}

		return result;
	}

	/** Closes the pack files the workers keep open for restores (close() does it too). */
	async releaseFiles(): Promise<void> {
		if (this.failure) return;
		await Promise.all(this.workers.map((_worker, index) => this.runOn(index, {op: 'release'}, [])));
	}

	async close(): Promise<void> {
		await this.releaseFiles().catch(() => undefined);
		await Promise.all(this.workers.map(worker => worker.terminate()));
		this.workers.length = 0;
	}

	private run(request: WorkerRequest, transfer: ArrayBuffer[]): Promise<unknown> {
		let target = 0;
		for (let index = 1; index < this.workers.length; index++) if (this.load[index]! < this.load[target]!) target = index;
		return this.runOn(target, request, transfer);
	}

	private runOn(target: number, request: WorkerRequest, transfer: ArrayBuffer[]): Promise<unknown> {
		if (this.failure) return Promise.reject(this.failure);
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, {resolve, reject});
			this.load[target]!++;
			this.workers[target]!.postMessage({id, request}, transfer);
		});
	}

	private fail(error: Error): void {
		this.failure = new BugError(`codec worker crashed: ${error.message}`, {cause: error});
		for (const pending of this.pending.values()) pending.reject(this.failure);
		this.pending.clear();
	}
}
