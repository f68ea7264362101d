import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {RuntimeError} from '../../source/engine/errors.js';
import {acquireLock, isProcessAlive, type LockHolder, readLockHolder} from '../../source/engine/lock.js';
import {makeTempDir} from '../helpers/tmp.js';

const lockModule = fileURLToPath(new URL('../../source/engine/lock.ts', import.meta.url));

// Runs in a separate process: takes the lock, says so on stdout, then holds it until killed.
const holderScript = `
import {acquireLock} from ${JSON.stringify(lockModule)};
acquireLock(process.argv[1], {command: process.argv[2], waitMs: 0});
process.stdout.write('locked\\n');
setInterval(() => {}, 60_000);
`;

const children: ChildProcess[] = [];
afterEach(() => {
	for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts a process that holds the lock at `path` as `command`; resolves once it holds it. */
async function startHolder(path: string, command: string): Promise<ChildProcess> {
	const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', holderScript, path, command], {stdio: ['ignore', 'pipe', 'inherit']});
	children.push(child);
	let output = '';
	child.stdout!.setEncoding('utf8');
	for await (const chunk of child.stdout!) {
		output += String(chunk);
		if (output.includes('locked\n')) return child;
	}

	throw new Error(`the lock holder exited (code ${String(child.exitCode)}) without taking the lock`);
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await once(child, 'exit');
	expect(isProcessAlive(child.pid!)).toBe(false);
	return child.pid!;
}

function lockedError(action: () => unknown): RuntimeError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(RuntimeError);
		return error as RuntimeError;
	}

	throw new Error('expected the lock to be refused');
}

describe('repository lock', () => {
	it('takes over a lock left by a process that no longer exists', async () => {
		const path = join(makeTempDir(), 'lock');
		const pid = await deadPid();
		const stale: LockHolder = {pid, host: hostname(), command: 'strata backup vm1', since: '2026-01-01T00:00:00.000Z'};
		writeFileSync(path, JSON.stringify(stale));

		const lock = acquireLock(path, {command: 'strata gc', waitMs: 0});

		expect(readLockHolder(path)).toMatchObject({pid: process.pid, command: 'strata gc'});
		lock.release();
	});

	it('removes the copy of an old lock that a taker killed mid-takeover left beside it, not a live taker\'s', async () => {
		const folder = makeTempDir();
		const path = join(folder, 'lock');
		const dead = await deadPid();
		writeFileSync(`${path}.stale-${dead}`, JSON.stringify({pid: 1, host: hostname(), command: 'strata backup vm1', since: '2026-01-01T00:00:00.000Z'}));
		writeFileSync(`${path}.stale-${process.pid}`, '');

		const lock = acquireLock(path, {command: 'strata gc', waitMs: 0});

		expect(readdirSync(folder).sort()).toEqual(['lock', `lock.stale-${process.pid}`]);
		lock.release();
	});

	it('takes over an empty lock file left by a writer that died before writing it', () => {
		const path = join(makeTempDir(), 'lock');
		writeFileSync(path, '');
		const lock = acquireLock(path, {command: 'strata gc', waitMs: 0});
		expect(readLockHolder(path)?.pid).toBe(process.pid);
		lock.release();
	});

	it('waits for a live holder, then fails with LOCKED naming its pid and command', async () => {
		const path = join(makeTempDir(), 'lock');
		const holder = await startHolder(path, 'strata backup vm1');

		const started = Date.now();
		const error = lockedError(() => acquireLock(path, {command: 'strata gc', waitMs: 300, pollMs: 50}));

		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect(error.code).toBe('LOCKED');
		expect(error.message).toContain(`process ${holder.pid!}`);
		expect(error.message).toContain('strata backup vm1');
		expect(error.hint).toBeTruthy();
		// The holder keeps its lock.
		expect(readLockHolder(path)?.pid).toBe(holder.pid);
	});

	it('takes over once the live holder is killed', async () => {
		const path = join(makeTempDir(), 'lock');
		const holder = await startHolder(path, 'strata backup vm1');
		expect(lockedError(() => acquireLock(path, {command: 'strata gc', waitMs: 0})).code).toBe('LOCKED');

		holder.kill('SIGKILL');
		await once(holder, 'exit');

		const lock = acquireLock(path, {command: 'strata gc', waitMs: 0});
		expect(readLockHolder(path)?.pid).toBe(process.pid);
		lock.release();
	});

	it('removes the lock file on release, and a second release is harmless', () => {
		const path = join(makeTempDir(), 'lock');
		const lock = acquireLock(path, {command: 'strata expire', waitMs: 0});
		expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({pid: process.pid, host: hostname(), command: 'strata expire'});

		lock.release();
		expect(existsSync(path)).toBe(false);
		lock.release();
		expect(existsSync(path)).toBe(false);
	});
});
