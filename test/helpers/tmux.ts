/** The console's real binary in tmux, read the way a person sees it: start, type, capture the screen. */
import {execFileSync} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {expect} from 'vitest';

const sessions = new Set<string>();

/** Starts a command in a new detached tmux session. CI is unset inside: Ink draws only a final frame when it sees CI. */
export function tmux(session: string, command: string, size = {columns: 80, rows: 24}): void {
	sessions.add(session);
	execFileSync('tmux', ['new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), '-s', session, `env -u CI LANG=C.UTF-8 ${command}`]);
}

/** What the session's screen shows now. */
export const capture = (session: string): string => execFileSync('tmux', ['capture-pane', '-p', '-t', session], {encoding: 'utf8'});

/** Types keys (tmux key names such as Enter and Escape, or literal text). */
export const sendKeys = (session: string, ...keys: string[]): void => void execFileSync('tmux', ['send-keys', '-t', session, ...keys]);

/** Waits until the screen matches, and returns it; the test fails on the last screen when it never does. */
export async function waitForScreen(session: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
	let screen = '';
	for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
		screen = capture(session);
		if (pattern.test(screen)) return screen;
	}

	expect(screen, `the screen never matched ${pattern} within ${timeoutMs} ms`).toMatch(pattern);
	return screen;
}

/** Ends a session (and forgets it); the afterAll of a test file calls this for any left running. */
export function killSession(session: string): void {
	sessions.delete(session);
	execFileSync('tmux', ['kill-session', '-t', session], {stdio: 'ignore'});
}

/** Ends every session started here and still running. */
export function killAllSessions(): void {
	for (const session of [...sessions]) {
		try {
			killSession(session);
		} catch {
			// Already gone: its command exited.
		}
	}
}
