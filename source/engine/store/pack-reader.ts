/** Reads stored objects back out of packs, keeping pack files open while a job runs. */
import {closeSync, openSync, readSync} from 'node:fs';
import {decodeObjectHeader, objectHeaderLength} from './format.js';
import {packPath} from './pack-writer.js';

export type ObjectLocation = {
	packName: string;
	offset: number;
	storedLength: number;
};

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
