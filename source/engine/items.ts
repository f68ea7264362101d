/** Adding, listing and removing protected items. */
import {statSync} from 'node:fs';
import {resolve} from 'node:path';
import {deleteItem, diskNames, insertItem, requireItem, type SettingsChange, updateItemSettings} from './catalog/items.js';
import {now} from './clock.js';
import {UserError} from './errors.js';
import {assertBlockSize, defaultBlockSize} from './chunkers/index.js';
import {assertName, type Item, type PostgresSettings} from './model/index.js';
import type {Repository} from './repository.js';
import {recordingState} from './store/manifest-writer.js';

/** Every item in the repository, in the order they were added: one function for the engine and its callers. */
export {listItems} from './catalog/items.js';

export type AddVolumeItemOptions = {
	name: string;
	volumes: readonly string[];
	blockSize?: number;
	freezeCmd?: string;
	thawCmd?: string;
	/** Read block devices even while mounted or held (no freeze command): the copy may be inconsistent. */
	allowLive?: boolean;
};

/** Checks that a volume source exists and is a regular file or a block device. */
export function assertVolumeSource(path: string): string {
	const absolute = resolve(path);
	let stat;
	try {
		stat = statSync(absolute);
	} catch {
		throw new UserError('SOURCE_MISSING', `volume ${absolute} does not exist`, {hint: 'Give the path of a disk image, block device or file'});
	}

	if (!stat.isFile() && !stat.isBlockDevice()) {
		throw new UserError('SOURCE_NOT_VOLUME', `volume ${absolute} is not a file or block device`, {hint: 'Give the path of a disk image, block device or file'});
	}

	return absolute;
}

/** Protects one or more disks (files or block devices) as one volume item. */
export function addVolumeItem(repo: Repository, options: AddVolumeItemOptions): Item {
	assertName(options.name, 'item');
	if (options.volumes.length === 0) {
		throw new UserError('NO_VOLUME', 'a volume item needs at least one --volume', {hint: 'Add --volume PATH for each disk'});
	}

	const paths = options.volumes.map(path => assertVolumeSource(path));
	const names = diskNames(paths);
	return recordingState(repo, () => insertItem(repo, {
		name: options.name,
		kind: 'volume',
		blockSize: assertBlockSize(options.blockSize ?? defaultBlockSize),
		createdAt: now().toISOString(),
		disks: paths.map((path, index) => ({name: names[index]!, path})),
		...(options.freezeCmd ? {freezeCmd: options.freezeCmd} : {}),
		...(options.thawCmd ? {thawCmd: options.thawCmd} : {}),
		...(options.allowLive ? {allowLive: true} : {}),
	}));
}

/** Protects a PostgreSQL database; connection settings not given here come from libpq's environment at backup time. */
export function addPostgresItem(repo: Repository, name: string, settings: PostgresSettings): Item {
	assertName(name, 'item');
	if (!settings.database) {
		throw new UserError('NO_DATABASE', 'a PostgreSQL item needs a database name', {hint: 'Use --postgres DBNAME'});
	}

	if (settings.port !== undefined && (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65_535)) {
		throw new UserError('BAD_PORT', `port ${settings.port} is not a TCP port`, {hint: 'Use a number from 1 to 65535'});
	}

	return recordingState(repo, () => insertItem(repo, {name, kind: 'postgres', blockSize: defaultBlockSize, createdAt: now().toISOString(), postgres: settings}));
}

/** Removes an item that has no recovery points. */
export function removeItem(repo: Repository, name: string): void {
	recordingState(repo, () => deleteItem(repo, name));
}

/** Changes a volume item's freeze and thaw commands (null removes one) or whether its devices may be read live. */
export function setVolumeOptions(repo: Repository, name: string, change: SettingsChange): Item {
	const item = requireItem(repo, name);
	if (item.kind !== 'volume') {
		throw new UserError('NOT_A_VOLUME', `item "${name}" is a PostgreSQL database; freeze commands and --allow-live apply to volumes`, {hint: 'Change only its --policy'});
	}

	recordingState(repo, () => updateItemSettings(repo, item.id, change));
	return requireItem(repo, name);
}
