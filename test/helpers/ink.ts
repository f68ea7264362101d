/** Timing help for Ink tests: React 19 commits renders and effects asynchronously. */
import {setTimeout as sleep} from 'node:timers/promises';

/** Waits long enough for React to commit pending renders and effects (e.g. useInput's listener) and Ink to write the frame. */
export async function flush(ms = 50): Promise<void> {
	await sleep(ms);
}
