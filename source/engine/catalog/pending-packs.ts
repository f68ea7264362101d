/**
 * Pending packs: pack files a process owns that no pack row names: ones a writer (a backup, gc's repack) has started
 * and no committed point names yet (the row is committed before the file can reach packs/, and the commit that names
 * the pack removes it), and ones gc dropped from the catalog and is about to delete (marked in the same commit). So
 * a pack file the catalog names neither way was not left by a killed process: its point was lost from the catalog,
 * and gc keeps it.
 */
import {hostname} from 'node:os';
import {type CatalogHandle, connectionOf} from './connection.js';
import {now} from '../clock.js';
import {isProcessAlive} from '../lock.js';

/**
 * Records that this process is writing the pack `name`; call before its file is made. The commit does not wait for
 * the disk: the writer fsyncs the -wal before the pack's rename (PendingHooks in store/pack-writer.ts).
 */
export function recordPendingPack(catalog: CatalogHandle, name: string): void {
	const db = connectionOf(catalog);
	db.pragma('synchronous = NORMAL');
	try {
		db.prepare('INSERT INTO pending_packs (name, pid, host, created_at) VALUES (?, ?, ?, ?)').run(name, process.pid, hostname(), now().toISOString());
	} finally {
		db.pragma('synchronous = FULL');
	}
}

/** Marks packs this process owns inside a transaction that drops their rows (gc, before deleting their files). */
export function markPending(catalog: CatalogHandle, names: readonly string[]): void {
	const db = connectionOf(catalog);
	const insert = db.prepare('INSERT OR REPLACE INTO pending_packs (name, pid, host, created_at) VALUES (?, ?, ?, ?)');
	for (const name of names) insert.run(name, process.pid, hostname(), now().toISOString());
}

/** The PackWriter hooks that record a writer's packs as pending in this catalog. */
export function pendingHooks(catalog: CatalogHandle, catalogPath: string): {announce(name: string): void; syncBeforeRename: string} {
	const db = connectionOf(catalog);
	return {announce: name => recordPendingPack(db, name), syncBeforeRename: `${catalogPath}-wal`};
}

/** Forgets pending packs: inside the commit that names them, or after their files were removed. */
export function clearPendingPacks(catalog: CatalogHandle, names: readonly string[]): void {
	const db = connectionOf(catalog);
	const remove = db.prepare('DELETE FROM pending_packs WHERE name = ?');
	for (const name of names) remove.run(name);
}

/** What gc may do with a pack file the catalog does not name. */
export type OrphanVerdict = 'garbage' | 'in-progress' | 'unaccounted';

/**
 * Judges pack files that no pack row names: a dead writer's pending pack is garbage; a live writer's (or one on
 * another host, whose process this machine cannot see) is in progress; one not pending at all is unaccounted for.
 */
export function judgeOrphans(catalog: CatalogHandle): (name: string) => OrphanVerdict {
	const db = connectionOf(catalog);
	const rows = db.prepare('SELECT name, pid, host FROM pending_packs').all() as Array<{name: string; pid: number; host: string}>;
	const pending = new Map(rows.map(row => [row.name, row]));
	const here = hostname();
	return name => {
		const row = pending.get(name);
		if (!row) return 'unaccounted';
		return row.host === here && !isProcessAlive(row.pid) ? 'garbage' : 'in-progress';
	};
}

/** Removes pending rows of dead writers whose files are gone (a failed writer that could not clear its own). */
export function forgetDeadPending(catalog: CatalogHandle, exists: (name: string) => boolean): void {
	const db = connectionOf(catalog);
	const judge = judgeOrphans(db);
	const names = (db.prepare('SELECT name FROM pending_packs').pluck().all() as string[]).filter(name => judge(name) === 'garbage' && !exists(name));
	clearPendingPacks(db, names);
}
