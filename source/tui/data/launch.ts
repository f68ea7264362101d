/**
 * Jobs started from the console run detached: a separate `strata` process in its own session, so closing the
 * console or losing the SSH connection does not stop them. Their progress comes back through the jobs table.
 */
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

function cliEntry(): string {
	// From source (tests) the built CLI is used, as it is from dist/ in production.
	const fromSource = import.meta.url.endsWith('.ts') || import.meta.url.endsWith('.tsx');
	return fileURLToPath(new URL(fromSource ? '../../../dist/cli/main.js' : '../../cli/main.js', import.meta.url));
}

/** Starts `strata --repo REPO ARGS...` detached; returns its pid. */
export function launchDetached(repositoryPath: string, args: string[]): number {
	const child = spawn(process.execPath, [cliEntry(), '--repo', repositoryPath, ...args], {detached: true, stdio: 'ignore', env: process.env});
	child.unref();
	return child.pid ?? 0;
}
