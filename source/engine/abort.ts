/** Cancellation: long operations check their signal between batches and roll back. */
import {RuntimeError} from './errors.js';

/** Throws an INTERRUPTED error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) {
		throw new RuntimeError('INTERRUPTED', `interrupted (${signal.reason instanceof Error ? signal.reason.message : 'aborted'}); nothing was committed`, {
			hint: 'Run the command again when ready',
		});
	}
}
