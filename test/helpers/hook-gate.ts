/**
 * A gate for a volume item's --thaw-cmd: the thaw runs after the disks were read (objects chosen, new ones in tmp/)
 * and before the commit, so a backup held there is mid-flight, holding the repository lock, for as long as a test needs.
 */
import {existsSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

export type ThawGate = {
	/** The shell command to give as --thaw-cmd: it marks that it was reached, then waits until the gate is open. */
	command: string;
	/** Lets waiting thaws (and every later one) through. */
	open(): void;
	/** Makes the next thaw wait again. */
	close(): void;
	/** Resolves true once a thaw reached the gate, or false if `gaveUp()` turns true first (the backup ended). */
	reached(gaveUp: () => boolean): Promise<boolean>;
};

/** A closed gate whose files live in `dir`. */
export function thawGate(dir: string): ThawGate {
	const gate = join(dir, 'thaw-gate-open');
	const reachedMark = join(dir, 'thaw-gate-reached');
	return {
		command: `touch '${reachedMark}'; while [ ! -e '${gate}' ]; do sleep 0.02; done`,
		open() {
			writeFileSync(gate, '');
		},
		close() {
			rmSync(gate, {force: true});
			rmSync(reachedMark, {force: true});
		},
		async reached(gaveUp) {
			while (!existsSync(reachedMark)) {
				if (gaveUp()) return false;
				await sleep(10);
			}

			return true;
		},
	};
}
