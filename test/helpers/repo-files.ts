/** Looking at a repository's files from the outside, as a person with `ls` and `du` would. */
import {closeSync, openSync, readdirSync, readlinkSync, readSync, statSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {ObjectKind, readPackIndex} from '../../source/engine/store/index.js';

/** Whether a pack file holds records alone (manifests, state: no block or chunk), read from its own index. */
export function isRecordPack(path: string): boolean {
	const index = readPackIndex(path);
	return 'entries' in index && index.entries.every(entry => entry.kind !== ObjectKind.Data);
}

/** Every pack file of a repository holding data (blocks or chunks), not records alone. */
export function dataPackFiles(repo: string): string[] {
	return packFiles(repo).filter(path => !isRecordPack(path));
}

/** Every pack file of a repository. */
export function packFiles(repo: string): string[] {
	return readdirSync(join(repo, 'packs'), {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.map(entry => join(entry.parentPath, entry.name));
}

/** The bytes of every file below a folder. */
export function folderBytes(path: string): number {
	return readdirSync(path, {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** The bytes of a repository's packs. */
export function packBytes(repo: string): number {
	return folderBytes(join(repo, 'packs'));
}

/** The repository's pack files this process has open (from /proc/self/fd): none once a job has ended. */
export function openPackFiles(repo: string): string[] {
	return readdirSync('/proc/self/fd')
		.map(fd => {
			try {
				return readlinkSync(join('/proc/self/fd', fd));
			} catch {
				return ''; // Closed meanwhile (the listing's own descriptor, say).
			}
		})
		.filter(path => path.startsWith(join(repo, 'packs')));
}

/** Inverts one byte of a file in place: a bit-rotted pack. */
export function flipByte(path: string, offset: number): void {
	const fd = openSync(path, 'r+');
	const byte = Buffer.alloc(1);
	readSync(fd, byte, 0, 1, offset);
	byte[0] = byte[0]! ^ 0xff;
	writeSync(fd, byte, 0, 1, offset);
	closeSync(fd);
}

/** Flips a byte in the stored data of the object block `index` of point `rpId` names in its own entry; returns the object's id. */
export function damageObjectOfBlock(repo: string, rpId: number, index: number): number {
	const db = new Database(join(repo, 'catalog.db'), {readonly: true});
	let row: {id: number; name: string; offset: number} | undefined;
	try {
		row = db
			.prepare('SELECT o.id, p.name, o.offset FROM block_map b JOIN objects o ON o.id = b.object_id JOIN packs p ON p.id = o.pack_id WHERE b.rp_id = ? AND b.block_index = ?')
			.get(rpId, index) as typeof row;
	} finally {
		db.close();
	}

	if (!row) throw new Error(`rp${rpId} has no entry of its own for block ${index}`);
	// Inside the object's stored bytes, which only a re-hash (verify --read-data, a restore) notices.
	flipByte(join(repo, 'packs', row.name.slice(0, 2), `${row.name}.pack`), row.offset + 100);
	return row.id;
}
