/**
 * Writes new objects into pack files. A pack is written under tmp/, fsynced, then renamed into packs/ and the
 * folder fsynced: only then may a catalog transaction name it. Packs of a backup that fails are removed; packs of
 * one that was killed are orphans that garbage collection reclaims (nothing in the catalog names them).
 */
import {randomBytes} from 'node:crypto';
import {closeSync, fsync, fsyncSync, mkdirSync, openSync, renameSync, rmSync} from 'node:fs';
import {open} from 'node:fs/promises';
import {promisify} from 'node:util';
import {join} from 'node:path';
import {crashPoint} from '../crash.js';
import {BugError} from '../errors.js';
import {closeQuietly, fsyncPath, writeFully, writeFullyInBackground} from './file-writes.js';
import {type Codec, encodeIndexEntry, encodePackTrailer, indexEntryLength, ObjectKind, packMagic, type WrittenObject, type WrittenPack} from './format.js';
import {packPath} from './pack-reader.js';

export const defaultPackTargetBytes = 32 * 1024 * 1024;

/**
 * How a writer's packs are recorded as pending in the catalog (see catalog/pending-packs.ts): `announce` records a
 * name before its file is made, without waiting for the disk; `syncBeforeRename` (the catalog's -wal) is fsynced
 * with each pack, so that record is durable before the pack can appear in packs/. Recording with a synchronous
 * commit instead stalled the thread that feeds the codec workers 13-17 ms a pack while packs were being written.
 */
export type PendingHooks = {announce(name: string): void; syncBeforeRename?: string};

function fsyncIfThere(path: string | undefined): void {
	if (path === undefined) return;
	try {
		fsyncPath(path);
	} catch (error) {
		// No -wal: its frames were checkpointed into the catalog, which a checkpoint fsyncs.
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
}

async function fsyncInBackground(path: string | undefined): Promise<void> {
	if (path === undefined) return;
	let handle;
	try {
		handle = await open(path, 'r');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}

	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

type OpenPack = {
	name: string;
	path: string;
	fd: number;
	/** Bytes of the pack so far (magic and objects; with its index and trailer once closed). */
	size: number;
	written: number;
	index: number;
	writes: Array<Promise<void>>;
	/** The pack's index entries so far (42 bytes each), written at its end when it is sealed. */
	entries: Buffer;
	count: number;
};

/** Objects are gathered in memory and written in large pieces, not two writes per object; 2 MiB (three of them in
 * background mode) took 6 MiB less resident memory than 4 MiB at the same speed (1 GiB full, measured). */
const writeBufferBytes = 2 * 1024 * 1024;
/** Staging buffers in background mode: one filling while the others are written. */
const backgroundBuffers = 3;
const fsyncAt = promisify(fsync);

/**
 * Packs are written through the page cache and each is fsynced (on the thread pool) before it is renamed into place,
 * so the disk's write-back of one pack overlaps the writing of the next. Direct I/O was tried: each 2 MiB write then
 * waited for the device, and on this VM a 1 GiB full took 2.45-3.29 s (median 2.96) against 2.25-2.36 s (2.28)
 * through the cache, for 0.28 s less kernel time; hiding the device's latency would have taken more staging buffers.
 *
 * In background mode (backups) each full staging buffer is written on libuv's thread pool while the next one fills,
 * and a full pack is sealed once its writes are done: the thread that hands out work to the codec workers never
 * waits on the disk (on this VM a 1 GiB full spent 2.2 s of its main thread in synchronous pack writes while the
 * workers idled). Callers then `await drain()` now and then, and `await settle()` before `finish()`.
 */
export class PackWriter {
	readonly packs: WrittenPack[] = [];
	private current: OpenPack | undefined;
	private buffer: Buffer | undefined;
	private buffered = 0;
	private readonly finishedPaths: string[] = [];
	private readonly spare: Buffer[] = [];
	/** A sealed pack's index buffer, grown to a pack's size: the next pack fills it again. */
	private spareEntries: Buffer | undefined;
	private readonly inFlight = new Set<Promise<void>>();
	private failure: unknown;

	constructor(
		private readonly packsDir: string,
		private readonly tmpDir: string,
		private readonly targetBytes = defaultPackTargetBytes,
		private readonly background = false,
		private readonly pending?: PendingHooks,
	) {}

	/** Waits until a staging buffer is free (background mode): call between batches so memory stays bounded. */
	async drain(): Promise<void> {
		while (this.background && this.spare.length === 0 && this.inFlight.size > 0) await Promise.race(this.inFlight);
		this.throwIfFailed();
	}

	/** Waits for every background write and seal, failed or not: before `discard()`. */
	async idle(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
	}

	/** Waits for every background write and seal; rethrows the first failure (ENOSPC, say). */
	async settle(): Promise<void> {
		await this.idle();
		this.throwIfFailed();
	}

	/** Appends one object (a block or chunk unless `kind` says otherwise); returns where it went. */
	add(hash: Buffer, stored: Uint8Array, rawLength: number, codec: Codec, kind: ObjectKind = ObjectKind.Data): WrittenObject {
		this.throwIfFailed();
		const pack = this.current ?? this.open();
		const offset = pack.size;
		if ((pack.count + 1) * indexEntryLength > pack.entries.length) {
			const grown = Buffer.allocUnsafe(pack.entries.length * 2);
			pack.entries.copy(grown, 0, 0, pack.count * indexEntryLength);
			pack.entries = grown;
		}

		encodeIndexEntry(pack.entries, pack.count * indexEntryLength, {kind, codec, storedLength: stored.length, rawLength, hash});
		pack.count++;
		this.append(pack, stored);
		pack.size += stored.length;
		const written: WrittenObject = {hash, pack: pack.index, offset, storedLength: stored.length, rawLength, codec};
		if (pack.size >= this.targetBytes) this.seal();
		return written;
	}

	/** Makes every pack durable and visible under packs/; call before committing the catalog (after `settle()` in background mode). */
	finish(): WrittenPack[] {
		this.assertIdle('finish', 'settle');
		this.throwIfFailed();
		const pack = this.current;
		if (pack) {
			this.current = undefined;
			this.closeIndex(pack);
			this.flushNow(pack);
			this.sealWritten(pack);
		}

		return this.packs;
	}

	/** Removes everything this writer wrote: for a backup that fails before its commit (after `idle()` in background mode). */
	discard(): void {
		this.assertIdle('discard', 'idle');
		this.buffered = 0;
		if (this.current) {
			closeQuietly(this.current.fd);
			rmSync(this.current.path, {force: true});
			this.current = undefined;
		}

		for (const path of this.finishedPaths) rmSync(path, {force: true});
		this.finishedPaths.length = 0;
	}

	private assertIdle(method: string, wait: string): void {
		if (this.inFlight.size > 0) throw new BugError(`PackWriter.${method}() while background writes run: await ${wait}() first`);
	}

	private throwIfFailed(): void {
		if (this.failure !== undefined) throw this.failure;
	}

	/** Runs a background step; its failure is kept and rethrown by the next add, drain or settle. */
	private track(step: Promise<void>): Promise<void> {
		const tracked = step.catch((error: unknown) => {
			this.failure ??= error;
		});
		this.inFlight.add(tracked);
		void tracked.finally(() => this.inFlight.delete(tracked));
		return tracked;
	}

	/** Copies bytes into the staging buffer, writing it out each time it is full. */
	private append(pack: OpenPack, bytes: Uint8Array): void {
		let from = 0;
		while (from < bytes.length) {
			// Read each time: a flush in background mode hands the full buffer to a write and takes a spare one.
			const buffer = this.buffer!;
			const take = Math.min(bytes.length - from, buffer.length - this.buffered);
			buffer.set(take === bytes.length ? bytes : bytes.subarray(from, from + take), this.buffered);
			this.buffered += take;
			from += take;
			if (this.buffered === buffer.length) this.flush(pack);
		}
	}

	/** Writes the staging buffer at the pack's end, in the background when a spare buffer can take over meanwhile. */
	private flush(pack: OpenPack): void {
		if (this.buffered === 0) return;
		const next = this.background ? this.spare.pop() : undefined;
		if (!next) {
			this.flushNow(pack);
			return;
		}

		const buffer = this.buffer!;
		const write = writeFullyInBackground(pack.fd, buffer, this.buffered, pack.written).finally(() => this.spare.push(buffer));
		pack.writes.push(this.track(write));
		pack.written += this.buffered;
		this.buffered = 0;
		this.buffer = next;
	}

	private flushNow(pack: OpenPack): void {
		if (this.buffered === 0) return;
		writeFully(pack.fd, this.buffer!, this.buffered, pack.written);
		pack.written += this.buffered;
		this.buffered = 0;
	}

	private open(): OpenPack {
		const name = randomBytes(16).toString('hex');
		this.pending?.announce(name);
		const path = join(this.tmpDir, `${name}.pack.${process.pid}.partial`);
		const fd = openSync(path, 'wx', 0o600);
		// The staging buffers, made with the first pack (in background mode the spares too).
		if (!this.buffer) {
			this.buffer = Buffer.allocUnsafeSlow(writeBufferBytes);
			for (let slot = 1; this.background && slot < backgroundBuffers; slot++) this.spare.push(Buffer.allocUnsafeSlow(writeBufferBytes));
		}

		this.packs.push({name, size: 0});
		this.current = {name, path, fd, size: packMagic.length, written: 0, index: this.packs.length - 1, writes: [], entries: this.spareEntries ?? Buffer.allocUnsafe(256 * indexEntryLength), count: 0};
		this.spareEntries = undefined;
		this.buffered = 0;
		this.append(this.current, packMagic);
		return this.current;
	}

	/** Seals the current pack: at once, or once its background writes are done. */
	private seal(): void {
		const pack = this.current;
		if (!pack) return;
		this.current = undefined;
		this.closeIndex(pack);
		this.flush(pack);
		if (pack.writes.length === 0) this.sealWritten(pack);
		// The fsync, the slow part, runs on the thread pool too; what follows it is quick.
		else this.track(Promise.all(pack.writes).then(async () => {
			try {
				if (this.failure === undefined) await Promise.all([fsyncAt(pack.fd), fsyncInBackground(this.pending?.syncBeforeRename)]);
			} catch (error) {
				this.failure ??= error;
			}

			// With a failure recorded this removes the pack instead.
			this.sealWritten(pack, true);
		}));
	}

	/** Appends the pack's index and trailer: the pack then describes every object it holds. */
	private closeIndex(pack: OpenPack): void {
		const index = pack.entries.subarray(0, pack.count * indexEntryLength);
		const trailer = encodePackTrailer(index, pack.size);
		this.append(pack, index);
		this.append(pack, trailer);
		pack.size += index.length + trailer.length;
		// Copied into the staging buffer: a new buffer per pack, promoted before it died, was garbage that only full
		// collections freed (the peak memory of a large backup grew with its size).
		this.spareEntries = pack.entries;
	}

	/** Makes a pack whose bytes are all written durable (unless `synced` already), and renames it into packs/. */
	private sealWritten(pack: OpenPack, synced = false): void {
		// A background write of this pack failed: leave it for discard (its error is rethrown).
		if (this.failure !== undefined) {
			closeQuietly(pack.fd);
			rmSync(pack.path, {force: true});
			return;
		}

		if (!synced) {
			fsyncSync(pack.fd);
			fsyncIfThere(this.pending?.syncBeforeRename);
		}

		closeSync(pack.fd);
		const folder = join(this.packsDir, pack.name.slice(0, 2));
		mkdirSync(folder, {recursive: true, mode: 0o700});
		const finalPath = packPath(this.packsDir, pack.name);
		renameSync(pack.path, finalPath);
		fsyncPath(folder);
		this.finishedPaths.push(finalPath);
		this.packs[pack.index] = {name: pack.name, size: pack.size};
		crashPoint('pack-sealed');
	}
}
