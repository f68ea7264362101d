/**
 * Pins: a restore records (pid, host, point) before it resolves the point's block map, in one transaction that checks
 * the point still exists. While the pinning process lives, expire leaves the point and gc leaves the packs alone, so
 * the objects the restore resolved stay where it found them. Pins of processes that are gone count for nothing and are
 * removed by the next writer that looks.
 */
import {hostname} from 'node:os';
import {type CatalogHandle, connectionOf} from './connection.js';
import {now} from '../clock.js';
import {UserError} from '../errors.js';
import {isProcessAlive} from '../lock.js';
import {formatRecoveryPointId} from '../model/index.js';

type PinRow = {id: number; rpId: number; pid: number; host: string; command: string};

export type Pin = {readonly id: number; release(): void};

/** Pins a point for this process; fails when the point is gone (expired meanwhile). */
export function pinPoint(catalog: CatalogHandle, rpId: number, command: string): Pin {
	const db = connectionOf(catalog);
	const id = db.transaction(() => {
		if (!db.prepare('SELECT 1 FROM recovery_points WHERE id = ?').get(rpId)) {
			throw new UserError('RP_NOT_FOUND', `${formatRecoveryPointId(rpId)} no longer exists (it expired)`, {hint: 'See `strata points ITEM` for the points there are'});
		}

		return Number(db.prepare('INSERT INTO pins (rp_id, pid, host, command, started_at) VALUES (?, ?, ?, ?, ?)').run(rpId, process.pid, hostname(), command, now().toISOString()).lastInsertRowid);
	}).immediate();
	let released = false;
	return {
		id,
		release() {
			if (released) return;
			released = true;
			db.prepare('DELETE FROM pins WHERE id = ?').run(id);
		},
	};
}

// Another host's process cannot be asked whether it lives: its pin counts until `strata unlock` removes it.
function isLive(pin: PinRow): boolean {
	return pin.host !== hostname() || isProcessAlive(pin.pid);
}

/** The live pins on a point (dead pinners' rows are deleted); call inside the transaction that would merge it. */
export function livePins(catalog: CatalogHandle, rpId?: number): PinRow[] {
	const db = connectionOf(catalog);
	const rows = db.prepare(`SELECT id, rp_id AS rpId, pid, host, command FROM pins${rpId === undefined ? '' : ' WHERE rp_id = ?'}`).all(...(rpId === undefined ? [] : [rpId])) as PinRow[];
	const remove = db.prepare('DELETE FROM pins WHERE id = ?');
	return rows.filter(pin => {
		if (isLive(pin)) return true;
		remove.run(pin.id);
		return false;
	});
}

/** Whether a live restore pins one of an item's points. */
export function itemIsPinned(catalog: CatalogHandle, itemId: number): boolean {
	const db = connectionOf(catalog);
	const points = new Set(db.prepare('SELECT id FROM recovery_points WHERE item_id = ?').pluck().all(itemId) as number[]);
	return livePins(db).some(pin => points.has(pin.rpId));
}

/** Removes the pins no live process on this host holds (for `strata unlock`); returns how many. */
export function removeForeignPins(catalog: CatalogHandle): number {
	const db = connectionOf(catalog);
	const rows = db.prepare('SELECT id, rp_id AS rpId, pid, host, command FROM pins').all() as PinRow[];
	const gone = rows.filter(pin => !(pin.host === hostname() && isProcessAlive(pin.pid)));
	const remove = db.prepare('DELETE FROM pins WHERE id = ?');
	for (const pin of gone) remove.run(pin.id);
	return gone.length;
}

/** "process 123 (restore vm1 rp1) on this host" */
export function describePin(pin: PinRow): string {
	return `process ${pin.pid} (${pin.command}) ${pin.host === hostname() ? 'on this host' : `on host ${pin.host}`}`;
}
