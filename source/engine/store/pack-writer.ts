/**
 * Writes new objects into pack files. A pack is written under tmp/, fsynced, then renamed into packs/ and the
 * folder fsynced: only then may a catalog transaction name it. Packs of a backup that fails are removed; packs of
 * one that was killed are orphans that garbage collection reclaims (nothing in the catalog names them).
 */
import {randomBytes} from 'node:crypto';
import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {fsyncDirectory} from '../repository.js';
import {crashPoint} from '../crash.js';
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

type OpenPack = {name: string; path: string; fd: number; size: number; index: number};

/** Objects are gathered in memory and written in large pieces: one write per few MiB, not two per object. */
const writeBufferBytes = 4 * 1024 * 1024;

export class PackWriter {
	readonly packs: WrittenPack[] = [];
	private current: OpenPack | undefined;
	private readonly buffer = Buffer.allocUnsafe(writeBufferBytes);
	private buffered = 0;
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
		if (this.buffered + objectHeaderLength + stored.length > this.buffer.length) this.flush(pack);
		encodeObjectHeader(this.buffer, this.buffered, {codec, rawLength, storedLength: stored.length, hash});
		this.buffered += objectHeaderLength;
		if (stored.length > this.buffer.length - this.buffered) {
			this.flush(pack);
			writeSync(pack.fd, stored);
		} else {
			this.buffer.set(stored, this.buffered);
			this.buffered += stored.length;
		}

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

	private flush(pack: OpenPack): void {
		let written = 0;
		while (written < this.buffered) written += writeSync(pack.fd, this.buffer, written, this.buffered - written);
		this.buffered = 0;
	}

	private open(): OpenPack {
		const name = randomBytes(16).toString('hex');
		const path = join(this.tmpDir, `${name}.pack.${process.pid}.partial`);
		const fd = openSync(path, 'wx', 0o600);
		writeSync(fd, packMagic);
		this.packs.push({name, size: 0});
		this.current = {name, path, fd, size: packMagic.length, index: this.packs.length - 1};
		return this.current;
	}

	private seal(): void {
		const pack = this.current;
		if (!pack) return;
		this.current = undefined;
		this.flush(pack);
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
