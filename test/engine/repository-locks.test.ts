/** The writers' gate, between real processes: gc's deletion never overlaps a backup in flight, and the reverse. */
import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import {existsSync, mkdirSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {RuntimeError} from '../../source/engine/errors.js';
import {enterWriters, lockForDeletion} from '../../source/engine/repository-locks.js';
import {makeTempDir} from '../helpers/tmp.js';

const locksModule = fileURLToPath(new URL('../../source/engine/repository-locks.ts', import.meta.url));

// Runs in a separate process: takes one side of the gate, says so, then holds it until killed.
const holderScript = `
import {enterWriters, lockForDeletion} from ${JSON.stringify(locksModule)};
const [repo, side] = process.argv.slice(1);
await (side === 'writer' ? enterWriters(repo, {command: 'backup vm'}) : lockForDeletion(repo, {command: 'gc'}));
process.stdout.write('held\\n');
setInterval(() => {}, 60_000);
`;

const children: ChildProcess[] = [];
afterEach(() => {
	for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startHolder(repo: string, side: 'writer' | 'delete'): Promise<ChildProcess> {
	const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', holderScript, repo, side], {stdio: ['ignore', 'pipe', 'inherit']});
	children.push(child);
	let output = '';
	child.stdout!.setEncoding('utf8');
	for await (const chunk of child.stdout!) {
		output += String(chunk);
		if (output.includes('held\n')) return child;
	}

	throw new Error('the holder exited without taking its side of the gate');
}

function repoDir(): string {
	const repo = join(makeTempDir(), 'repo');
	mkdirSync(repo);
	return repo;
}

async function refused(action: () => Promise<unknown>): Promise<RuntimeError> {
	try {
		await action();
	} catch (error) {
		expect(error).toBeInstanceOf(RuntimeError);
		return error as RuntimeError;
	}

	throw new Error('expected the gate to refuse');
}

describe('the writers\' gate', () => {
	it('gc waits for a live writer, telling whom, and goes on once it is gone (its file removed)', async () => {
		const repo = repoDir();
		const writer = await startHolder(repo, 'writer');
		const lines: string[] = [];
		const error = await refused(async () => lockForDeletion(repo, {command: 'gc', waitMs: 400, pollMs: 50, onWait: line => lines.push(line)}));
		expect(error.code).toBe('LOCKED');
		expect(error.message).toContain(`process ${writer.pid!} (backup vm)`);
		expect(lines).toEqual([expect.stringMatching(new RegExp(`^waiting for process ${writer.pid!} \\(backup vm\\) on this host since \\d\\d:\\d\\d$`))]);
		// gc holds nothing while it waits: another writer joins at once.
		(await enterWriters(repo, {command: 'backup other', waitMs: 0})).release();

		writer.kill('SIGKILL');
		await once(writer, 'exit');
		const lock = await lockForDeletion(repo, {command: 'gc', waitMs: 0});
		expect(readdirSync(join(repo, 'locks'))).toEqual(['delete']);
		lock.release();
		expect(existsSync(join(repo, 'locks', 'delete'))).toBe(false);
	});

	it('a writer waits while gc deletes', async () => {
		const repo = repoDir();
		const gc = await startHolder(repo, 'delete');
		const error = await refused(async () => enterWriters(repo, {command: 'backup vm', waitMs: 300, pollMs: 50}));
		expect(error.message).toContain(`process ${gc.pid!} (gc)`);
		expect(readdirSync(join(repo, 'locks'))).toEqual(['delete']);
	});
});
