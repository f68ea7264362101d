/** Reads stored objects back out of packs, keeping pack files open while a job runs. */
import {closeSync, openSync, read, readSync} from 'node:fs';
import {promisify} from 'node:util';
import {decodeObjectHeader, objectHeaderLength, type ObjectLocation} from './format.js';
import {join} from 'node:path';

const readAt = promisify(read);

/** Where a finished pack lives: packs/<first two hex digits>/<name>.pack (the reader needs no writer, nor the catalog). */
export function packPath(packsDir: string, name: string): string {
	return join(packsDir, name.slice(0, 2), `${name}.pack`);
}

export class PackReader {
	private readonly fds = new Map<string, number>();

	constructor(private readonly packsDir: string) {}

	/** The stored bytes of an object (header checked against its location), or undefined when the pack is missing or short. */
	readStored(location: ObjectLocation, target: Buffer = Buffer.allocUnsafe(objectHeaderLength + location.storedLength)): {stored: Buffer; hash: Buffer} | undefined {
		const fd = this.fd(location.packName);
		if (fd === undefined) return undefined;
		const length = objectHeaderLength + location.storedLength;
		const read = readSync(fd, target, 0, length, location.offset);
		if (read !== length) return undefined;
		const header = decodeObjectHeader(target);
		if (header.storedLength !== location.storedLength) return undefined;
		return {stored: target.subarray(objectHeaderLength, length), hash: header.hash};
	}

	/**
	 * The stored bytes of many objects back to back, in the order given, reading objects that lie next to each other
	 * in a pack with one call; or the first object whose pack is missing, short or disagrees with the catalog. The
	 * reads run on libuv's thread pool, so a codec worker decodes another batch while this one comes off the disk.
	 */
	async readMany(locations: readonly ObjectLocation[]): Promise<{payload: Uint8Array} | {failed: ObjectLocation}> {
		const payload = new Uint8Array(locations.reduce((sum, location) => sum + location.storedLength, 0));
		let into = 0;
		for (let first = 0; first < locations.length; ) {
			const start = locations[first]!;
			let end = first + 1;
			let runBytes = objectHeaderLength + start.storedLength;
			while (end < locations.length && locations[end]!.packName === start.packName && locations[end]!.offset === start.offset + runBytes) {
				runBytes += objectHeaderLength + locations[end]!.storedLength;
				end++;
			}

			const fd = this.fd(start.packName);
			if (fd === undefined) return {failed: start};
			// Its own buffer per call: several reads may be under way at once.
			const run = Buffer.allocUnsafe(runBytes);
			if ((await readAt(fd, run, 0, runBytes, start.offset)).bytesRead !== runBytes) return {failed: start};
			let at = 0;
			for (let index = first; index < end; index++) {
				const location = locations[index]!;
				if (decodeObjectHeader(run, at).storedLength !== location.storedLength) return {failed: location};
				payload.set(run.subarray(at + objectHeaderLength, at + objectHeaderLength + location.storedLength), into);
				into += location.storedLength;
				at += objectHeaderLength + location.storedLength;
			}

			first = end;
		}

		return {payload};
	}

	close(): void {
		for (const fd of this.fds.values()) closeSync(fd);
		this.fds.clear();
	}

	private fd(name: string): number | undefined {
		let fd = this.fds.get(name);
		if (fd === undefined) {
			try {
				fd = openSync(packPath(this.packsDir, name), 'r');
			} catch {
				return undefined;
			}

			this.fds.set(name, fd);
		}

		return fd;
	}
}
