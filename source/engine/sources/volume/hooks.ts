/** Freeze and thaw hooks: shell commands an item runs around the read of its disks. */
import {ExternalError} from '../../errors.js';

export const hookTimeoutMs = 5 * 60 * 1000;

/** Runs a freeze or thaw command with a shell; fails with its exit code and the tail of its output. */
export async function runHook(command: string, what: 'freeze' | 'thaw', itemName: string): Promise<void> {
	// Loaded on demand: importing execa costs ~100 ms, and most items have no hooks.
	const {execa} = await import('execa');
	const result = await execa(command, {shell: true, reject: false, timeout: hookTimeoutMs, all: true, stdin: 'ignore', env: {STRATA_ITEM: itemName}});
	if (result.failed) {
		const detail = result.timedOut ? `timed out after ${hookTimeoutMs / 1000} s` : `exited with code ${String(result.exitCode)}`;
		throw new ExternalError('HOOK_FAILED', `the ${what} command of item "${itemName}" ${detail}`, {command, args: [], exitCode: result.exitCode, stderr: String(result.all ?? '')}, {
			hint: `Run it by hand to see why: ${command}`,
		});
	}
}
