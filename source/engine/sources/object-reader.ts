/**
 * How a restore reads a point's objects, as restic's restorer does: two narrow functions instead of the repository.
 * `locate` says which objects the repository has and where; `decode` reads them, checks each against its hash and
 * writes them where asked. The catalog and the codec pool answer them in a restore; a test answers them with its own.
 */
import {locateAll as locateEach} from '../catalog/objects.js';
import type {DecodeTarget} from '../store/index.js';

/**
 * How a restore reads a point's objects. `L` is whatever says where an object is (the catalog's StoredObject, or a
 * test's own record): the restore only passes it from `locate` to `decode`.
 */
export type ObjectReader<L> = {
	/** Where each of these objects is, one batch at a time; an id the answer lacks is missing from the repository. */
	locate(objectIds: readonly number[]): ReadonlyMap<number, L>;
	/**
	 * Reads objects and checks each against its hash. With `writeTo`, writes each at its position in that file, all or
	 * none; without, only checks them. Rejects naming what is damaged or unreadable.
	 */
	decode(objects: readonly L[], writeTo?: DecodeTarget): Promise<unknown>;
	/** How many decodes to keep in flight (two per codec worker keep both busy). */
	inFlight: number;
};

/** Where each object is, in the order given (ids may repeat); fails naming the first one the repository lacks. */
export function locateAll<L>(reader: ObjectReader<L>, ids: readonly number[], rpId: number): L[] {
	return locateEach(objectIds => reader.locate(objectIds), ids, rpId);
}
