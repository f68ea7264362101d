/**
 * What a volume source looks like before and after it is read, to see whether it changed meanwhile, and opening it
 * for the read. A source is a regular file or a block device.
 *
 * Terms: the state is size, modification and change times, and a fingerprint (a hash of a few blocks). A block
 * device's own times never move when a filesystem on it writes, and a file's mtime can be set back (`touch -d`), so
 * times alone miss changes: the fingerprint catches changes in the blocks it samples.
 */
import {closeSync, constants, openSync, readFileSync} from 'node:fs';
import {stat} from 'node:fs/promises';
import {UserError} from '../../errors.js';
import {contentHash, directReadBuffer, readFully} from '../../store/index.js';

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

function fingerprintOf(path: string, size: number, isBlockDevice: boolean): string {
	const positions = fingerprintPositions(size);
	const sample = new Uint8Array(positions.length * fingerprintBlock);
	// A device is sampled with direct reads, as it is read: its page cache may hold stale pages (see direct-read.ts).
	const {fd, direct} = openReadable(path, isBlockDevice ? constants.O_DIRECT : 0);
	try {
		const block = direct ? directReadBuffer(fd, fingerprintBlock) : new Uint8Array(fingerprintBlock);
		positions.forEach((position, index) => {
			const read = readFully(fd, block, fingerprintBlock, position);
			sample.set(block.subarray(0, read), index * fingerprintBlock);
		});
	} finally {
		closeSync(fd);
	}

	return contentHash(sample).toString('hex');
}

/** Opens for reading with extra flags; O_DIRECT is dropped where the kernel refuses it (EINVAL). */
function openReadable(path: string, flags: number): {fd: number; direct: boolean} {
	try {
		return {fd: openSync(path, constants.O_RDONLY | flags), direct: (flags & constants.O_DIRECT) !== 0};
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EINVAL' || (flags & constants.O_DIRECT) === 0) throw error;
		return openReadable(path, flags & ~constants.O_DIRECT);
	}
}

/** Size, times and fingerprint, to see whether a source changed while it was read. */
export async function sourceState(path: string): Promise<SourceState> {
	const info = await stat(path);
	const isBlockDevice = info.isBlockDevice();
	const size = isBlockDevice ? blockDeviceSize(info.rdev) : info.size;
	return {size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, isBlockDevice, fingerprint: fingerprintOf(path, size, isBlockDevice)};
}

/** Whether two states of a source say it did not change in between. */
export function sameState(before: SourceState, after: SourceState): boolean {
	return before.size === after.size && before.mtimeMs === after.mtimeMs && before.ctimeMs === after.ctimeMs && before.fingerprint === after.fingerprint;
}

/**
 * Opens a source for reading; a block device with O_DIRECT (`direct` in the result; see direct-read.ts). `exclusive`
 * (block devices only) adds O_EXCL, which Linux refuses with EBUSY while the device is mounted or held by another
 * exclusive opener (LVM, md, a filesystem): a filesystem in use may be in the middle of its writes, so its copy would
 * not mount cleanly. Held open for the whole read, it also keeps anyone from mounting the device meanwhile.
 */
export function openSource(path: string, options: {isBlockDevice: boolean; exclusive: boolean; itemName: string}): {fd: number; direct: boolean} {
	try {
		return openReadable(path, options.isBlockDevice ? constants.O_DIRECT | (options.exclusive ? constants.O_EXCL : 0) : 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
		throw new UserError('SOURCE_IN_USE', `volume ${path} of item "${options.itemName}" is in use (mounted or held), and a filesystem read while it writes is not a consistent copy`, {
			hint: `Give the item a freeze command: \`strata item set ${options.itemName} --freeze-cmd 'fsfreeze -f MOUNTPOINT' --thaw-cmd 'fsfreeze -u MOUNTPOINT'\` (or an LVM snapshot, see the README), or accept a live, possibly inconsistent copy with \`strata item set ${options.itemName} --allow-live\``,
			cause: error,
		});
	}
}
