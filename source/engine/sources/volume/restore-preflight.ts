/**
 * Before a restore overwrites a block device in place (there is no temporary file to throw away there), a pre-flight
 * pass reads every object the disk needs from its pack and checks it decodes to its hash, through the same path the
 * restore itself takes, without writing anything. Damage found here refuses the restore with the device untouched.
 */
import {closeSync, constants, openSync} from 'node:fs';
import {RuntimeError, StrataError, UserError} from '../../errors.js';
import {throwIfAborted} from '../../abort.js';
import {formatRecoveryPointId} from '../../model/index.js';
import {locateAll, type ObjectReader} from '../object-reader.js';
import {blockDeviceSize} from './source-state.js';

const checkBatchObjects = 256;

export type PreflightContext<L> = {
	itemName: string;
	rpId: number;
	target: string;
	objectIds: Float64Array;
	reader: ObjectReader<L>;
	signal: AbortSignal | undefined;
	/** Objects checked so far and in all. */
	onChecked(done: number, total: number): void;
};

/** Fails, naming the damaged or missing object and the point, unless every object the disk needs reads back intact. */
export async function checkObjectsBeforeInPlaceRestore<L>(context: PreflightContext<L>): Promise<void> {
	const ids = [...new Set(context.objectIds)].filter(id => id !== 0).sort((a, b) => a - b);
	const inFlight: Array<Promise<unknown>> = [];
	try {
		for (let first = 0; first < ids.length; first += checkBatchObjects) {
			throwIfAborted(context.signal);
			const located = locateAll(context.reader, ids.slice(first, first + checkBatchObjects), context.rpId);
			const checked = context.reader.decode(located);
			// Marked handled here; a failure surfaces when it is awaited in order.
			checked.catch(() => undefined);
			inFlight.push(checked);
			if (inFlight.length >= context.reader.inFlight) await inFlight.shift();
			context.onChecked(Math.min(first + checkBatchObjects, ids.length), ids.length);
		}

		while (inFlight.length > 0) await inFlight.shift();
	} catch (error) {
		if (!(error instanceof StrataError) || !['OBJECT_MISSING', 'OBJECT_DAMAGED', 'PACK_DAMAGED'].includes(error.code)) throw error;
		throw new RuntimeError(error.code, `${formatRecoveryPointId(context.rpId)} of "${context.itemName}" cannot be restored: ${error.message}; nothing was written to ${context.target}`, {
			hint: error.hint,
			cause: error,
		});
	} finally {
		await Promise.allSettled(inFlight);
	}
}

/**
 * Opens a block device for an in-place restore with O_EXCL, which fails with EBUSY while it is mounted or held:
 * overwriting a mounted filesystem under the kernel's feet would corrupt both.
 */
export function openDeviceTarget(path: string): number {
	try {
		return openSync(path, constants.O_RDWR | constants.O_EXCL);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
		throw new UserError('TARGET_IN_USE', `restore target ${path} is in use (mounted or held)`, {hint: 'Unmount it (or stop what holds it), then restore again'});
	}
}

/** Checks, before anything is read or written, that a block device is free and can take a disk of `size` bytes. */
export function assertDeviceTarget(path: string, rdev: number, size: number): void {
	closeSync(openDeviceTarget(path));
	const deviceSize = blockDeviceSize(rdev);
	if (deviceSize > 0 && deviceSize < size) {
		throw new UserError('TARGET_TOO_SMALL', `restore target ${path} holds ${deviceSize} bytes, less than the disk's ${size}`, {hint: 'Restore onto a device at least as large, or to a file'});
	}
}

/** The error a restore that failed after it started writing a device in place gives: the device holds neither. */
export function partlyOverwritten(error: unknown, target: string, writtenBytes: number, size: number): RuntimeError {
	const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
	const reason = error instanceof Error ? error.message : String(error);
	return new RuntimeError('TARGET_PARTLY_WRITTEN', `restore onto ${target} failed after writing to it (${reason}): the device is partly overwritten, up to ${mib(writtenBytes)} of ${mib(size)} MiB, and holds neither its old contents nor the point`, {
		hint: 'Do not use the device as it is: fix the cause, then restore again with --force',
		cause: error,
	});
}
