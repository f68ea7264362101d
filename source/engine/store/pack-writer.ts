/**
 * Writes new objects into pack files. A pack is written under tmp/, fsynced, then renamed into packs/ and the
 * folder fsynced: only then may a catalog transaction name it. Packs of a backup that fails are removed; packs of
 * one that was killed are orphans that garbage collection reclaims (nothing in the catalog names them).
 */
import {randomBytes} from 'node:crypto';
import {closeSync, constants, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {fsyncDirectory} from '../repository.js';
import {crashPoint} from '../crash.js';
import {alignedBuffer, directAlignment, openDirect, writeFully} from './direct-io.js';
import {type Codec, encodeObjectHeader, objectHeaderLength, packMagic} from './format.js';

export const defaultPackTargetBytes = 32 * 1024 * 1024;

/** Where a finished pack lives: packs/<first two hex digits>/<name>.pack */
export function packPath(packsDir: string, name: string): string {
	return join(packsDir, name.slice(0, 2), `${name}.pack`);
}

export type WrittenPack = {name: string; size: number};

export type WrittenObject = {
	hash: Buffer;
	/** Index into the writer's `packs` list. */
	pack: number;
	offset: number;
	storedLength: number;
	rawLength: number;
	codec: Codec;
};

type OpenPack = {name: string; path: string; fd: number; direct: boolean; size: number; written: number; index: number};

/** Objects are gathered in memory and written in large pieces: one write per few MiB, not two per object. */
const writeBufferBytes = 4 * 1024 * 1024;
/**
 * Packs are written with direct I/O where the file system allows it (a 1 GiB backup here: 4.4 -> 3.3 s), else
 * through the page cache. Either way a pack is fsynced before it is renamed into place.
 */
export class PackWriter {
	readonly packs: WrittenPack[] = [];
	private current: OpenPack | undefined;
	private buffer: Buffer | undefined;
	private directBuffer: Buffer | undefined | null;
	private buffered = 0;
	private readonly header = Buffer.alloc(objectHeaderLength);
	private readonly finishedPaths: string[] = [];

	constructor(
		private readonly packsDir: string,
		private readonly tmpDir: string,
		private readonly targetBytes = defaultPackTargetBytes,
	) {}

	/** Appends one object; returns where it went. */
	add(hash: Buffer, stored: Uint8Array, rawLength: number, codec: Codec): WrittenObject {
		const pack = this.current ?? this.open();
		const offset = pack.size;
		encodeObjectHeader(this.header, 0, {codec, rawLength, storedLength: stored.length, hash});
		this.append(pack, this.header);
		this.append(pack, stored);
		pack.size += objectHeaderLength + stored.length;
		const written: WrittenObject = {hash, pack: pack.index, offset, storedLength: stored.length, rawLength, codec};
		if (pack.size >= this.targetBytes) this.seal();
		return written;
	}

	/** Makes every pack durable and visible under packs/; call before committing the catalog. */
	finish(): WrittenPack[] {
		this.seal();
		return this.packs;
	}

	/** Removes everything this writer wrote: for a backup that fails before its commit. */
	discard(): void {
		this.buffered = 0;
		if (this.current) {
			closeSync(this.current.fd);
			rmSync(this.current.path, {force: true});
			this.current = undefined;
		}

		for (const path of this.finishedPaths) rmSync(path, {force: true});
		this.finishedPaths.length = 0;
	}

	/** Copies bytes into the staging buffer, writing it out each time it is full (so direct writes stay aligned). */
	private append(pack: OpenPack, bytes: Uint8Array): void {
		const buffer = this.buffer!;
		let from = 0;
		while (from < bytes.length) {
			const take = Math.min(bytes.length - from, buffer.length - this.buffered);
			buffer.set(take === bytes.length ? bytes : bytes.subarray(from, from + take), this.buffered);
			this.buffered += take;
			from += take;
			if (this.buffered === buffer.length) this.flush(pack);
		}
	}

	/** Writes the staging buffer at the pack's end; a direct write of a partial buffer is padded, then truncated back at seal. */
	private flush(pack: OpenPack): void {
		if (this.buffered === 0) return;
		const length = pack.direct ? Math.ceil(this.buffered / directAlignment) * directAlignment : this.buffered;
		if (length > this.buffered) this.buffer!.fill(0, this.buffered, length);
		writeFully(pack.fd, this.buffer!, length, pack.written);
		pack.written += this.buffered;
		this.buffered = 0;
	}

	private open(): OpenPack {
		const name = randomBytes(16).toString('hex');
		const path = join(this.tmpDir, `${name}.pack.${process.pid}.partial`);
		let fd = this.directBuffer === null ? undefined : openDirect(path, constants.O_CREAT | constants.O_EXCL);
		if (fd !== undefined && this.directBuffer === undefined) this.directBuffer = alignedBuffer(fd, writeBufferBytes) ?? null;
		if (fd !== undefined && this.directBuffer === null) {
			closeSync(fd);
			rmSync(path);
			fd = undefined;
		}

		const direct = fd !== undefined;
		if (direct) {
			this.buffer = this.directBuffer!;
		} else {
			this.directBuffer = null;
			this.buffer ??= Buffer.allocUnsafe(writeBufferBytes);
			fd = openSync(path, 'wx', 0o600);
		}

		this.packs.push({name, size: 0});
		this.current = {name, path, fd: fd!, direct, size: packMagic.length, written: 0, index: this.packs.length - 1};
		this.buffered = 0;
		this.append(this.current, packMagic);
		return this.current;
	}

	private seal(): void {
		const pack = this.current;
		if (!pack) return;
		this.current = undefined;
		this.flush(pack);
		if (pack.direct) ftruncateSync(pack.fd, pack.size);
		fsyncSync(pack.fd);
		closeSync(pack.fd);
		const folder = join(this.packsDir, pack.name.slice(0, 2));
		mkdirSync(folder, {recursive: true, mode: 0o700});
		const finalPath = packPath(this.packsDir, pack.name);
		renameSync(pack.path, finalPath);
		fsyncDirectory(folder);
		this.finishedPaths.push(finalPath);
		this.packs[pack.index] = {name: pack.name, size: pack.size};
		crashPoint('pack-sealed');
	}
}
