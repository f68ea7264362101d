/**
 * Restoring a volume recovery point: every target is checked before anything is written; files are written under a
 * temporary name (zero blocks left as holes) and renamed when complete; every object is checked against its hash
 * before its bytes are written, so a damaged object stops the restore without writing a wrong byte. A block device is
 * written in place: it must be free (not mounted) and large enough, every object is checked before its first byte is
 * written, and a failure after that says the device is partly overwritten.
 */
import {closeSync, existsSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync} from 'node:fs';
import {dirname, join, resolve, sep} from 'node:path';
import {promisify} from 'node:util';
import {ObjectIndex} from '../../catalog/objects.js';
import {resolveBlockMap} from '../../catalog/points.js';
import {crashPoint} from '../../crash.js';
import {RuntimeError, UserError} from '../../errors.js';
import {isProcessAlive} from '../../lock.js';
import {throwIfAborted} from '../../abort.js';
import {type Disk, formatRecoveryPointId, type RecoveryPoint, type VolumeItem} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {CodecPool, type DecodeResult, fsyncPath} from '../../store/index.js';
import type {RestoreRunOptions} from '../restore-plan.js';
import {assertDeviceTarget, checkObjectsBeforeInPlaceRestore, openDeviceTarget, partlyOverwritten} from './restore-preflight.js';

/** Where a volume point goes: a file, or a folder for one file per disk; --disk for one of them. */
export type VolumeTargets = {
	to: string;
	disk?: string | undefined;
	force?: boolean | undefined;
};

export type RestoreTarget = {disk: Disk; size: number; path: string; exists: boolean; isBlockDevice: boolean; rdev: number};

function realOrResolved(path: string): string {
	try {
		return realpathSync(path);
	} catch {
		return resolve(path);
	}
}

function isInside(path: string, folder: string): boolean {
	const real = realOrResolved(path);
	const base = realOrResolved(folder);
	return real === base || real.startsWith(base + sep);
}

/** Works out where each disk goes and refuses a target that would lose data, before anything is written. */
export function planVolumeTargets(repo: Repository, item: VolumeItem, point: RecoveryPoint, options: VolumeTargets): RestoreTarget[] {
	let disks = item.disks.filter(disk => point.disks.some(captured => captured.name === disk.name));
	if (options.disk !== undefined) {
		disks = disks.filter(disk => disk.name === options.disk);
		if (disks.length === 0) {
			throw new UserError('DISK_NOT_FOUND', `recovery point ${formatRecoveryPointId(point.id)} of "${item.name}" has no disk named "${options.disk}"`, {
				hint: `Its disks are: ${point.disks.map(disk => disk.name).join(', ')}`,
			});
		}
	}

	const to = resolve(options.to);
	const toIsDirectory = existsSync(to) && statSync(to).isDirectory();
	const targets = disks.map(disk => {
		// Disk names come from the catalog; a name that is not a plain file name must not steer a write elsewhere.
		if (disk.name.includes('/') || disk.name.includes('\\') || disk.name === '.' || disk.name === '..') {
			throw new RuntimeError('BAD_DISK_NAME', `disk name "${disk.name}" in the catalog is not a plain file name`, {hint: 'The catalog was altered or damaged: restore catalog.db from a copy, or restore the other disks with --disk NAME'});
		}

		const path = disks.length === 1 && !toIsDirectory ? to : join(to, disk.name);
		const size = point.disks.find(captured => captured.name === disk.name)!.size;
		return {disk, size, path, ...describeTarget(path)};
	});

	for (const target of targets) {
		if (isInside(target.path, repo.path)) {
			throw new UserError('TARGET_IN_REPOSITORY', `restore target ${target.path} is inside the repository`, {hint: 'Restore to a path outside the repository'});
		}

		if (item.disks.some(disk => realOrResolved(disk.path) === realOrResolved(target.path))) {
			throw new UserError('TARGET_IS_SOURCE', `restore target ${target.path} is a source disk of item "${item.name}"`, {
				hint: 'Restore to another path, check it, then swap it in',
			});
		}

		if (target.exists && !options.force) {
			throw new UserError('TARGET_EXISTS', `restore target ${target.path} exists and is not empty`, {hint: 'Choose a new path, or add --force to overwrite it'});
		}

		if (target.isBlockDevice) assertDeviceTarget(target.path, target.rdev, target.size);
	}

	return targets;
}

function describeTarget(path: string): {exists: boolean; isBlockDevice: boolean; rdev: number} {
	if (!existsSync(path)) return {exists: false, isBlockDevice: false, rdev: 0};
	const info = statSync(path);
	if (info.isBlockDevice()) return {exists: true, isBlockDevice: true, rdev: info.rdev};
	if (info.isDirectory()) {
		if (readdirSync(path).length > 0) return {exists: true, isBlockDevice: false, rdev: 0};
		throw new UserError('TARGET_IS_DIRECTORY', `restore target ${path} is a folder`, {hint: 'Give a file path for the disk'});
	}

	return {exists: info.size > 0, isBlockDevice: false, rdev: 0};
}

/** Restores the disks of a recovery point; returns where each went. The targets must come from planVolumeTargets. */
export async function restoreVolume(repo: Repository, item: VolumeItem, point: RecoveryPoint, targets: RestoreTarget[], options: RestoreRunOptions): Promise<Array<{disk: string; path: string; size: number}>> {
	const maps = resolveBlockMap(repo.db, point.id, item.blockSize);
	const totalBytes = targets.reduce((sum, target) => sum + target.size, 0);
	const pool = options.pool ?? new CodecPool();
	const objects = new ObjectIndex(repo.db);
	let doneBytes = 0;
	const started = Date.now();
	try {
		for (const target of targets) {
			const map = maps.get(target.disk.id)!;
			const temporary = target.isBlockDevice ? target.path : join(dirname(target.path), `.${target.disk.name}.strata-restore-${process.pid}`);
			if (!target.isBlockDevice) {
				mkdirSync(dirname(target.path), {recursive: true});
				removeStaleTemporaries(dirname(target.path), target.disk.name);
			}

			const onBytes = (bytes: number) => {
				doneBytes += bytes;
				const seconds = (Date.now() - started) / 1000;
				const bytesPerSecond = seconds > 0 ? doneBytes / seconds : 0;
				options.onProgress?.({doneBytes, totalBytes, bytesPerSecond, ...(bytesPerSecond > 0 ? {etaSeconds: (totalBytes - doneBytes) / bytesPerSecond} : {}), phase: 'writing'});
			};
			// Files are written beside the target and renamed, so a failure leaves the old file; a device is written in
			// place, so every object it needs is checked first.
			if (target.isBlockDevice) {
				await checkObjectsBeforeInPlaceRestore({item, point, target: target.path, objectIds: map.objectIds, pool, packsDir: repo.packsDir, objects, signal: options.signal, onChecked(done, total) {
					// In blocks' bytes, as the writing phase counts.
					options.onProgress?.({doneBytes: done * item.blockSize, totalBytes: total * item.blockSize, bytesPerSecond: 0, phase: 'checking'});
				}});
			}

			const fd = openTarget(temporary, target);
			const written = {extent: 0};
			let complete = false;
			try {
				await writeBlocks({fd, map, blockSize: item.blockSize, size: target.size, pool, packsDir: repo.packsDir, objects, point, signal: options.signal, written, onBytes});
				fsyncSync(fd);
				complete = true;
			} catch (error) {
				if (target.isBlockDevice && written.extent > 0) throw partlyOverwritten(error, target.path, written.extent, target.size);
				throw error;
			} finally {
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
	} finally {
		if (options.pool) await options.pool.releaseFiles();
		else await pool.close();
	}

	return targets.map(target => ({disk: target.disk.name, path: target.path, size: target.size}));
}

const restoreBatchBlocks = 256;
const writeBackEveryBytes = 64 * 1024 * 1024;
const fdatasyncAt = promisify(fdatasync);

/**
 * Opens the file a disk is restored into, sized to the disk (holes where nothing is written). Restores write through
 * the page cache (write-back started as they go, see writeBlocks) and fsync at the end: on this project's VM direct
 * writes made a 1 GiB restore take 2.4-4.4 s (bench-volume, five runs), the page cache a steady 2.0 s, and the
 * restored disk is then in the cache for whoever reads it next. The codec workers write the blocks themselves, once
 * each batch is checked.
 */
function openTarget(path: string, target: RestoreTarget): number {
	if (target.isBlockDevice) return openDeviceTarget(path);
	const fd = openSync(path, 'w', 0o600);
	ftruncateSync(fd, target.size);
	return fd;
}

type WriteContext = {
	/** The file being restored into. */
	fd: number;
	map: {objectIds: Float64Array; blockCount: number};
	blockSize: number;
	size: number;
	pool: CodecPool;
	packsDir: string;
	objects: ObjectIndex;
	point: RecoveryPoint;
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

async function writeBlocks(context: WriteContext): Promise<void> {
	const {map, blockSize} = context;
	// Each batch's result: the worker wrote its blocks, or it rejects naming what was damaged (and wrote none of them).
	const inFlight: Array<Promise<DecodeResult>> = [];
	let indices: number[] = [];
	const send = () => {
		const objects = context.objects.locate(indices.map(index => map.objectIds[index]!), context.point.id);
		const written = context.pool.decodeFromPacks(context.packsDir, objects, {fd: context.fd, positions: Float64Array.from(indices, index => index * blockSize)});
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
		if (writeBack || sentBytes < writeBackEveryBytes) return;
		sentBytes = 0;
		writeBack = fdatasyncAt(context.fd).then(
			() => (writeBack = undefined),
			(error: unknown) => {
				writeBackError ??= error;
				writeBack = undefined;
			},
		);
	};

	try {
		for (let index = 0; index < map.blockCount; index++) {
			if (map.objectIds[index] !== 0) indices.push(index);
			if (indices.length >= restoreBatchBlocks) {
				throwIfAborted(context.signal);
				send();
				if (inFlight.length >= context.pool.size * 2) await inFlight.shift();
				sentBytes += restoreBatchBlocks * blockSize;
				startWriteBack();
				context.onBytes(Math.min(restoreBatchBlocks * blockSize, context.size));
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
