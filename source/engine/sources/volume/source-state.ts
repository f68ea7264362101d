/**
 * What a volume source looks like before and after it is read, to see whether it changed meanwhile, and opening it
 * for the read. A source is a regular file or a block device.
 *
 * Terms: the state is size, modification and change times, and a fingerprint (a hash of a few blocks). A block
 * device's own times never move when a filesystem on it writes, and a file's mtime can be set back (`touch -d`), so
 * times alone miss changes: the fingerprint catches changes in the blocks it samples.
 */
import {closeSync, constants, openSync, readFileSync, readSync} from 'node:fs';
import {type FileHandle, open, stat} from 'node:fs/promises';
import {UserError} from '../../errors.js';
import {contentHash} from '../../store/index.js';

export type SourceState = {
	size: number;
	mtimeMs: number;
	ctimeMs: number;
	isBlockDevice: boolean;
	/** Hex hash of the sampled blocks; see fingerprintPositions. */
	fingerprint: string;
};

const fingerprintBlock = 4096;
/** The start of a disk, read whole: partition tables, superblocks, group descriptors, and on ext4 the bitmaps nearby. */
const headBytes = 64 * 1024;
/** Blocks spread evenly past the head (the journal of ext4 sits mid-disk), plus the last block. */
const spreadBlocks = 32;

/**
 * Where the fingerprint samples a source of `size` bytes. A heuristic, not a proof: a write that touches none of
 * these blocks goes unseen. The head is where filesystems write on almost every change (superblock, descriptors,
 * bitmaps, often the journal), so a busy filesystem is nearly always caught there; the spread blocks catch a
 * rewritten file or image elsewhere. About 200 KiB read per check, cheap beside the read of the disk itself.
 */
export function fingerprintPositions(size: number): number[] {
	const positions: number[] = [];
	for (let position = 0; position < Math.min(size, headBytes); position += fingerprintBlock) positions.push(position);
	if (size <= headBytes) return positions;
	for (let index = 1; index <= spreadBlocks; index++) {
		const position = Math.floor((size * index) / (spreadBlocks + 1) / fingerprintBlock) * fingerprintBlock;
		if (position >= headBytes && position !== positions.at(-1)) positions.push(position);
	}

	const last = Math.max(headBytes, Math.floor((size - 1) / fingerprintBlock) * fingerprintBlock);
	if (last !== positions.at(-1)) positions.push(last);
	return positions;
}

/** A block device's size from sysfs (stat reports 0 for devices); 0 when unknown. */
export function blockDeviceSize(rdev: number): number {
	// Linux's dev_t split into major and minor numbers (glibc's gnu_dev_major/minor).
	const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
	const minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
	try {
		return Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim()) * 512;
	} catch {
		return 0;
	}
}

function fingerprintOf(path: string, size: number): string {
	const positions = fingerprintPositions(size);
	const sample = Buffer.alloc(positions.length * fingerprintBlock);
	const fd = openSync(path, 'r');
	try {
		positions.forEach((position, index) => {
			readSync(fd, sample, index * fingerprintBlock, fingerprintBlock, position);
		});
	} finally {
		closeSync(fd);
	}

	return contentHash(sample).toString('hex');
}

/** Size, times and fingerprint, to see whether a source changed while it was read. */
export async function sourceState(path: string): Promise<SourceState> {
	const info = await stat(path);
	const isBlockDevice = info.isBlockDevice();
	const size = isBlockDevice ? blockDeviceSize(info.rdev) : info.size;
	return {size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, isBlockDevice, fingerprint: fingerprintOf(path, size)};
}

/** Whether two states of a source say it did not change in between. */
export function sameState(before: SourceState, after: SourceState): boolean {
	return before.size === after.size && before.mtimeMs === after.mtimeMs && before.ctimeMs === after.ctimeMs && before.fingerprint === after.fingerprint;
}

/**
 * Opens a source for reading. `exclusive` (block devices only) opens it with O_EXCL, which Linux refuses with EBUSY
 * while the device is mounted or held by another exclusive opener (LVM, md, a filesystem): a filesystem in use may be
 * in the middle of its writes, so its copy would not mount cleanly. Held open for the whole read, it also keeps
 * anyone from mounting the device meanwhile.
 */
export async function openSource(path: string, options: {exclusive: boolean; itemName: string}): Promise<FileHandle> {
	try {
		return await open(path, options.exclusive ? constants.O_RDONLY | constants.O_EXCL : constants.O_RDONLY);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
		throw new UserError('SOURCE_IN_USE', `volume ${path} of item "${options.itemName}" is in use (mounted or held), and a filesystem read while it writes is not a consistent copy`, {
			hint: `Give the item a freeze command: \`strata item set ${options.itemName} --freeze-cmd 'fsfreeze -f MOUNTPOINT' --thaw-cmd 'fsfreeze -u MOUNTPOINT'\` (or an LVM snapshot, see the README), or accept a live copy with --allow-live`,
			cause: error,
		});
	}
}
