/**
 * Restoring a volume recovery point onto targets checked beforehand (restore-targets.ts): files are written under a
 * temporary name (zero blocks left as holes) and renamed when complete; every object is checked against its hash
 * before its bytes are written, so a damaged object stops the restore without writing a wrong byte. A block device is
 * written in place: every object is checked before its first byte is written, and a failure after that says the
 * device is partly overwritten.
 *
 * The writing takes two narrow functions, as restic's restorer does: `locate` (which objects the repository has, and
 * where) and `decode` (an object's bytes, checked, written at their positions); restoreVolume makes them from the
 * catalog and the codec pool, and restoreDisks runs against any pair.
 */
import {closeSync, constants, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, rmSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {promisify} from 'node:util';
import {ObjectIndex} from '../../catalog/objects.js';
import {resolveBlockMap} from '../../catalog/points.js';
import {crashPoint} from '../../crash.js';
import {isProcessAlive} from '../../lock.js';
import {throwIfAborted} from '../../abort.js';
import type {JobProgress, RecoveryPoint, VolumeItem} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {CodecPool, fsyncPath} from '../../store/index.js';
import {locateAll, type ObjectReader} from '../object-reader.js';
import type {RestoreRunOptions} from '../restore-plan.js';
import {checkObjectsBeforeInPlaceRestore, openDeviceTarget, partlyOverwritten} from './restore-preflight.js';
import type {RestoreTarget} from './restore-targets.js';

/** A disk's resolved block map: the object of each block index, 0 where the disk holds zeros. */
export type DiskMap = {objectIds: Float64Array; blockCount: number};

export type RestoreDisksContext<L> = {
	itemName: string;
	rpId: number;
	blockSize: number;
	/** Each target's block map, by disk id. */
	maps: ReadonlyMap<number, DiskMap>;
	reader: ObjectReader<L>;
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
};

/** Restores the disks of a recovery point; returns where each went. The targets must come from planVolumeTargets. */
export async function restoreVolume(repo: Repository, item: VolumeItem, point: RecoveryPoint, targets: RestoreTarget[], options: RestoreRunOptions): Promise<Array<{disk: string; path: string; size: number}>> {
	// The workers start before the block map is read, so their start-up overlaps the query.
	const pool = options.pool ?? new CodecPool();
	const objects = new ObjectIndex(repo);
	try {
		const maps = resolveBlockMap(repo, point.id, item.blockSize);
		return await restoreDisks(targets, {
			itemName: item.name,
			rpId: point.id,
			blockSize: item.blockSize,
			maps,
			reader: {
				locate: ids => objects.getMany(ids),
				decode: async (located, writeTo) => pool.decodeFromPacks(repo.packsDir, located, writeTo),
				inFlight: pool.size * 2,
			},
			signal: options.signal,
			onProgress: options.onProgress,
		});
	} finally {
		if (options.pool) await options.pool.releaseFiles();
		else await pool.close();
	}
}

/** Writes each target's disk from its block map through `reader`: what restoreVolume runs, given the point's maps. */
export async function restoreDisks<L>(targets: readonly RestoreTarget[], context: RestoreDisksContext<L>): Promise<Array<{disk: string; path: string; size: number}>> {
	const {blockSize, reader, onProgress} = context;
	const totalBytes = targets.reduce((sum, target) => sum + target.size, 0);
	let doneBytes = 0;
	const started = Date.now();
	for (const target of targets) {
		const map = context.maps.get(target.disk.id)!;
		const temporary = target.isBlockDevice ? target.path : join(dirname(target.path), `.${target.disk.name}.strata-restore-${process.pid}`);
		if (!target.isBlockDevice) {
			mkdirSync(dirname(target.path), {recursive: true});
			removeStaleTemporaries(dirname(target.path), target.disk.name);
		}

		const onBytes = (bytes: number) => {
			doneBytes += bytes;
			const seconds = (Date.now() - started) / 1000;
			const bytesPerSecond = seconds > 0 ? doneBytes / seconds : 0;
			onProgress?.({doneBytes, totalBytes, bytesPerSecond, ...(bytesPerSecond > 0 ? {etaSeconds: (totalBytes - doneBytes) / bytesPerSecond} : {}), phase: 'writing'});
		};
		// Files are written beside the target and renamed, so a failure leaves the old file; a device is written in
		// place, so every object it needs is checked first.
		if (target.isBlockDevice) {
			await checkObjectsBeforeInPlaceRestore({itemName: context.itemName, rpId: context.rpId, target: target.path, objectIds: map.objectIds, reader, signal: context.signal, onChecked(done, total) {
				// In blocks' bytes, as the writing phase counts.
				onProgress?.({doneBytes: done * blockSize, totalBytes: total * blockSize, bytesPerSecond: 0, phase: 'checking'});
			}});
		}

		const fd = openTarget(temporary, target);
		const directFd = openDirect(temporary);
		const written = {extent: 0};
		let complete = false;
		try {
			await writeBlocks({fd, directFd, map, blockSize, size: target.size, reader, rpId: context.rpId, signal: context.signal, written, onBytes});
			// One fsync covers both descriptors: it syncs the file (its pages, its extents), and flushes the device's cache.
			fsyncSync(fd);
			complete = true;
		} catch (error) {
			if (target.isBlockDevice && written.extent > 0) throw partlyOverwritten(error, target.path, written.extent, target.size);
			throw error;
		} finally {
			if (directFd !== undefined) closeSync(directFd);
			closeSync(fd);
			if (!complete && !target.isBlockDevice) rmSync(temporary, {force: true});
		}

		crashPoint('restore-complete');
		if (!target.isBlockDevice) {
			renameSync(temporary, target.path);
			// The rename is what makes the restored disk appear; it is durable only once its folder is synced.
			fsyncPath(dirname(target.path));
			crashPoint('restore-renamed');
		}
	}

	return targets.map(target => ({disk: target.disk.name, path: target.path, size: target.size}));
}

/** 4 MiB of blocks per decode request (256 of the default 16 KiB), whatever the block size. */
const restoreBatchBytes = 4 * 1024 * 1024;
const writeBackEveryBytes = 64 * 1024 * 1024;
const fdatasyncAt = promisify(fdatasync);

/**
 * Opens the file a disk is restored into, sized to the disk (holes where nothing is written). The codec workers write
 * the blocks themselves, once each batch is checked, through a second descriptor opened by openDirect.
 */
function openTarget(path: string, target: RestoreTarget): number {
	if (target.isBlockDevice) return openDeviceTarget(path);
	const fd = openSync(path, 'w', 0o600);
	ftruncateSync(fd, target.size);
	return fd;
}

/**
 * The target opened again with O_DIRECT, or undefined where the file system has no direct I/O (tmpfs before Linux
 * 6.6, some FUSE file systems): blocks then go through the page cache, write-back started as they go (writeBlocks).
 * Direct writes skip the copy into the page cache, which on this project's 2-core VM cost 0.3-2 s of CPU per GiB
 * restored (fresh page-cache pages are slow to fault in on a VM with free page reporting), as much as the hash
 * checks; the device takes 4 MiB writes, several in flight, while the workers decode the next ones. A block device
 * keeps its exclusive claim through the first descriptor.
 */
function openDirect(path: string): number | undefined {
	try {
		return openSync(path, constants.O_WRONLY | constants.O_DIRECT);
	} catch (error) {
		if (['EINVAL', 'EOPNOTSUPP', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
		throw error;
	}
}

type WriteContext<L> = {
	/** The file being restored into, and the same file opened with O_DIRECT when it could be. */
	fd: number;
	directFd: number | undefined;
	map: {objectIds: Float64Array; blockCount: number};
	blockSize: number;
	size: number;
	reader: ObjectReader<L>;
	rpId: number;
	signal: AbortSignal | undefined;
	/** The end of the furthest block handed to a worker to write: what may have been written so far. */
	written: {extent: number};
	onBytes(bytes: number): void;
};

/**
 * Removes what a killed restore of the same disk left in the target folder (its writer is no longer alive): the
 * temporary file, and the direct-I/O probe files (`.strata-probe-PID-THREAD`) that restores of earlier versions left.
 */
function removeStaleTemporaries(folder: string, diskName: string): void {
	const prefixes = [`.${diskName}.strata-restore-`, '.strata-probe-'];
	for (const name of readdirSync(folder)) {
		const prefix = prefixes.find(candidate => name.startsWith(candidate));
		if (!prefix) continue;
		const pid = Number.parseInt(name.slice(prefix.length), 10);
		if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) rmSync(join(folder, name), {force: true});
	}
}

async function writeBlocks<L>(context: WriteContext<L>): Promise<void> {
	const {map, blockSize} = context;
	// Each batch's result: the worker wrote its blocks, or it rejects naming what was damaged (and wrote none of them).
	const inFlight: Array<Promise<unknown>> = [];
	let indices: number[] = [];
	const send = () => {
		const objects = locateAll(context.reader, indices.map(index => map.objectIds[index]!), context.rpId);
		const written = context.reader.decode(objects, {fd: context.fd, directFd: context.directFd, positions: Float64Array.from(indices, index => index * blockSize)});
		context.written.extent = Math.min(context.size, (indices.at(-1)! + 1) * blockSize);
		// Marked handled here; its failure surfaces when it is awaited in order.
		written.catch(() => undefined);
		inFlight.push(written);
		indices = [];
	};

	// The kernel starts writing dirty pages back only past a share of memory (gigabytes here), so without this the
	// whole disk would reach the device in the final fsync: start write-back as the restore goes (one at a time).
	// Linux reports a write-back error once, to whichever sync sees it: one seen here must fail the restore, since
	// the final fsync may then succeed.
	let sentBytes = 0;
	let writeBack: Promise<void> | undefined;
	let writeBackError: unknown;
	const startWriteBack = () => {
		if (writeBackError !== undefined) throw writeBackError;
		// Direct writes leave nothing to write back but a short last block.
		if (context.directFd !== undefined || writeBack || sentBytes < writeBackEveryBytes) return;
		sentBytes = 0;
		writeBack = fdatasyncAt(context.fd).then(
			() => (writeBack = undefined),
			(error: unknown) => {
				writeBackError ??= error;
				writeBack = undefined;
			},
		);
	};

	const batchBlocks = Math.max(1, Math.floor(restoreBatchBytes / blockSize));
	try {
		for (let index = 0; index < map.blockCount; index++) {
			if (map.objectIds[index] !== 0) indices.push(index);
			if (indices.length >= batchBlocks) {
				throwIfAborted(context.signal);
				send();
				if (inFlight.length >= context.reader.inFlight) await inFlight.shift();
				sentBytes += batchBlocks * blockSize;
				startWriteBack();
				context.onBytes(Math.min(batchBlocks * blockSize, context.size));
			}
		}

		if (indices.length > 0) send();
		while (inFlight.length > 0) await inFlight.shift();
		await writeBack;
		if (writeBackError !== undefined) throw writeBackError;
		context.onBytes(0);
	} finally {
		await Promise.allSettled([...inFlight, writeBack]);
	}
}
