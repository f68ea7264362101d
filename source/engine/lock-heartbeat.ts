/**
 * The heartbeat of lock holders: every lock file this process holds is touched on a timer, by every wait loop (a
 * synchronous wait blocks the timer), and by long synchronous work between steps (heartbeatIfDue). A waiter judges
 * from the file's mtime whether its holder still makes progress.
 */
import {utimesSync} from 'node:fs';

/** How often a holder touches its lock files. */
export const heartbeatMs = 5000;

const held = new Set<string>();
let beat: NodeJS.Timeout | undefined;
let lastBeat = 0;

/** Touches every lock file this process holds. */
export function heartbeat(): void {
	const time = new Date();
	lastBeat = time.getTime();
	for (const path of held) {
		try {
			utimesSync(path, time, time);
		} catch {
			// Removed under us (`strata unlock`): the holder notices on release.
		}
	}
}

/** For loops of synchronous work (a repack, a large commit): touches the held locks when a beat is due. */
export function heartbeatIfDue(): void {
	if (held.size > 0 && Date.now() - lastBeat >= heartbeatMs) heartbeat();
}

/** Counts `path` among this process's held locks (touched on the heartbeat) until `forget`. */
export function remember(path: string): void {
	held.add(path);
	beat ??= setInterval(heartbeat, heartbeatMs).unref();
}

/** Stops touching `path`. */
export function forget(path: string): void {
	held.delete(path);
	if (held.size === 0 && beat) {
		clearInterval(beat);
		beat = undefined;
	}
}
