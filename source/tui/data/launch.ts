/**
 * Jobs started from the console run detached: a separate `strata` process in its own session, so closing the
 * console or losing the SSH connection does not stop them. Their progress comes back through the jobs table.
 * Every command line the console starts is built here, from what the user chose.
 */
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {formatRecoveryPointId, launchedByVariable} from '../../engine/index.js';
import type {BackupDialog, RestoreDialog} from '../state/dialog-state.js';

/** A job the console can start, as the user chose it. */
export type LaunchRequest = {kind: 'backup'; dialog: BackupDialog} | {kind: 'restore'; dialog: RestoreDialog} | {kind: 'verify'; item: string};

/** The `strata` arguments for a request, and how the console names the job in its message. */
export function launchArgs(request: LaunchRequest): {args: string[]; what: string} {
	switch (request.kind) {
		case 'backup': {
			const {item, type, days} = request.dialog;
			return {args: ['backup', item, '--type', type, ...(days ? ['--retain-days', days] : [])], what: `a backup of ${item}`};
		}

		case 'restore': {
			const {item, rpId, to, extra, target} = request.dialog;
			const where = target === 'database' ? ['--to-db', to, ...(extra ? ['--table', extra] : [])] : ['--to', to, ...(extra ? ['--disk', extra] : [])];
			return {args: ['restore', item, String(rpId), ...where], what: `a restore of ${item} ${formatRecoveryPointId(rpId)}`};
		}

		case 'verify': {
			return {args: ['verify', request.item, '--read-data'], what: `a verify of ${request.item}`};
		}
	}
}

function cliEntry(): string[] {
	// From source (tests) the CLI's source runs too, through tsx, so no test runs a stale build in dist/.
	const fromSource = import.meta.url.endsWith('.ts') || import.meta.url.endsWith('.tsx');
	if (!fromSource) return [fileURLToPath(new URL('../../cli/main.js', import.meta.url))];
	return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, fileURLToPath(new URL('../../cli/main.ts', import.meta.url))];
}

/**
 * Node flags every `strata` process runs with, as the shebang of source/cli/main.ts and `npm start` give them: a
 * 2 MiB young generation instead of 16 MiB cut a 1 GiB backup's peak RSS by ~15 MiB and a 4 GiB one's by ~27 MiB
 * at no measurable cost in time (the engine's garbage is short-lived; its big buffers live outside the heap).
 */
export const nodeFlags = ['--max-semi-space-size=2'];

/** Starts `strata --repo REPO ARGS...` detached; returns its pid. */
export function launchDetached(repositoryPath: string, args: string[]): number {
	// Nobody reads a detached job's stderr: launchedFromConsole tells it to leave even a refusal in its job row.
	const child = spawn(process.execPath, [...nodeFlags, ...cliEntry(), '--repo', repositoryPath, ...args], {detached: true, stdio: 'ignore', env: {...process.env, [launchedByVariable]: 'console'}});
	child.unref();
	return child.pid ?? 0;
}
