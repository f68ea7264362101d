/**
 * Where a volume restore writes, decided before anything is written: a file per disk (one file, or a folder of them),
 * or a block device in place. A target that would lose data (exists without --force, inside the repository, one of
 * the item's own sources, a device that is mounted or too small) is refused here.
 */
import {existsSync, readdirSync, realpathSync, statSync} from 'node:fs';
import {join, resolve, sep} from 'node:path';
import {RuntimeError, UserError} from '../../errors.js';
import {type Disk, formatRecoveryPointId, type RecoveryPoint, type VolumeItem} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {assertDeviceTarget} from './restore-preflight.js';

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

