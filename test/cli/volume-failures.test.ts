/** What goes wrong during volume backups: kill -9, damaged packs, sources that change or vanish, freeze hooks. */
import {closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, makeDisk, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';
import {dataPackFiles, packFiles} from '../helpers/repo-files.js';

async function strata(repo: string, ...args: string[]) {
	const result = await runStrata(['--repo', repo, ...args]);
	expect(result.exitCode, `strata ${args.join(' ')}: ${result.stderr}`).toBe(0);
	return result.stdout;
}

async function pointIds(repo: string, item: string): Promise<number[]> {
	return (JSON.parse(await strata(repo, 'points', item, '--json')) as Array<{id: number}>).map(row => row.id);
}

async function repoWithBigItem(megabytes: number) {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const disk = join(dir, 'disk.img');
	await strata(repo, 'init');
	writeRandomFile(disk, megabytes * 1024 * 1024);
	await strata(repo, 'item', 'add', 'vm', '--volume', disk);
	return {dir, repo, disk};
}

describe('volume backups under failure', () => {
	it.each([
		['at a named step after the first pack is durable', {STRATA_CRASH_AT: 'pack-sealed'}, 0],
		// Within the first 40 ms of writing packs: a 96 MiB full takes a few hundred ms here, so the kill lands midway.
		['at a random instant', {}, 1 + Math.floor(Math.random() * 40)],
	])('leaves no recovery point when killed with SIGKILL %s, and the next backup succeeds', async (_name, env, delayMs) => {
		const {dir, repo, disk} = await repoWithBigItem(96);
		await strata(repo, 'backup', 'vm');
		writeBlock(disk, 3, 0x77);
		const before = await pointIds(repo, 'vm');
		// The second backup is a full, so it writes several packs and takes long enough to be killed midway.
		const child = execa('node', [cliEntry, '--repo', repo, 'backup', 'vm', '--type', 'full'], {reject: false, env});
		if (delayMs > 0) {
			// Kill at a random instant once the backup is writing its first pack, so the kill always lands midway.
			while (readdirSync(join(repo, 'tmp')).length === 0 && child.exitCode === null) await sleep(5);
			await sleep(delayMs);
			child.kill('SIGKILL');
		}

		const result = await child;
		expect(result.signal).toBe('SIGKILL');
		expect(await pointIds(repo, 'vm')).toEqual(before);
		const verify = await runStrata(['--repo', repo, 'verify', '--read-data']);
		expect(verify.exitCode, verify.stderr).toBe(0);
		await strata(repo, 'backup', 'vm');
		const after = await pointIds(repo, 'vm');
		expect(after).toHaveLength(before.length + 1);
		const target = join(dir, 'restored.img');
		await strata(repo, 'restore', 'vm', String(after.at(-1)), '--to', target);
		expect(sha256File(target)).toBe(sha256File(disk));
	});

	it('finds a flipped byte in a pack with verify --read-data and names the affected points', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		await strata(repo, 'init');
		makeDisk(disk, 4);
		writeBlock(disk, 0, Buffer.from('first block, text that compresses well '.repeat(400)).subarray(0, blockSize));
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		await strata(repo, 'backup', 'vm');
		writeBlock(disk, 1, 0x42);
		await strata(repo, 'backup', 'vm');
		expect((await runStrata(['--repo', repo, 'verify', '--read-data'])).exitCode).toBe(0);

		// Flip a byte inside the first object's stored bytes (past the 8-byte pack magic).
		const packs = dataPackFiles(repo).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
		const fd = openSync(packs[0]!, 'r+');
		const byte = Buffer.alloc(1);
		readSync(fd, byte, 0, 1, 8 + 3);
		byte[0] = byte[0]! ^ 0xff;
		writeSync(fd, byte, 0, 1, 8 + 3);
		closeSync(fd);

		const quick = await runStrata(['--repo', repo, 'verify']);
		expect(quick.exitCode).toBe(0);
		const verify = await runStrata(['--repo', repo, 'verify', '--read-data']);
		expect(verify.exitCode).toBe(1);
		expect(verify.stderr).toMatch(/^strata: 1 damaged object\(s\); affected recovery points: vm rp1, vm rp2\./);
		const restore = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', join(dir, 'out.img')]);
		expect(restore.exitCode).toBe(1);
		expect(restore.stderr).toMatch(/is damaged/);
		expect(existsSync(join(dir, 'out.img'))).toBe(false);
		expect(readdirSync(dir).filter(name => name.includes('strata-restore'))).toEqual([]);
	});

	it('runs the thaw command even when the read fails, and a failing freeze stops the backup', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		const log = join(dir, 'hooks.log');
		await strata(repo, 'init');
		makeDisk(disk, 2);
		writeBlock(disk, 0, 0x01);
		await strata(repo, 'item', 'add', 'frozen', '--volume', disk, '--freeze-cmd', `echo freeze >> ${log}`, '--thaw-cmd', `echo thaw >> ${log}`);
		await strata(repo, 'backup', 'frozen');
		expect(readFileSync(log, 'utf8')).toBe('freeze\nthaw\n');

		await strata(repo, 'item', 'add', 'broken', '--volume', disk, '--freeze-cmd', 'exit 3', '--thaw-cmd', `echo thaw-broken >> ${log}`);
		const failed = await runStrata(['--repo', repo, 'backup', 'broken']);
		expect(failed.exitCode).toBe(1);
		expect(failed.stderr).toMatch(/^strata: the freeze command of item "broken" exited with code 3\./);
		expect(await pointIds(repo, 'broken')).toEqual([]);

		// The read fails (source gone after the freeze): the thaw still runs.
		const vanishing = join(dir, 'vanishing.img');
		makeDisk(vanishing, 1);
		await strata(repo, 'item', 'add', 'vanishing', '--volume', vanishing, '--freeze-cmd', `rm ${vanishing}`, '--thaw-cmd', `echo thaw-vanishing >> ${log}`);
		const gone = await runStrata(['--repo', repo, 'backup', 'vanishing']);
		expect(gone.exitCode).toBe(1);
		expect(readFileSync(log, 'utf8')).toContain('thaw-vanishing');
	});

	it('fails with a clear line naming a missing source, and keeps the earlier points', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		await strata(repo, 'init');
		makeDisk(disk, 2);
		writeBlock(disk, 1, 0x31);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		await strata(repo, 'backup', 'vm');
		rmSync(disk);
		const failed = await runStrata(['--repo', repo, 'backup', 'vm']);
		expect(failed.exitCode).toBe(1);
		expect(failed.stderr.trim().split('\n')).toHaveLength(1);
		expect(failed.stderr).toContain(disk);
		expect(await pointIds(repo, 'vm')).toEqual([1]);
	});

	it('reads a source that keeps changing three times, then fails recommending a freeze command', async () => {
		const {repo, disk} = await repoWithBigItem(64);
		const writer = setInterval(() => {
			const fd = openSync(disk, 'r+');
			writeSync(fd, Buffer.from(String(Date.now())), 0, undefined, 0);
			closeSync(fd);
		}, 5);
		try {
			const result = await runStrata(['--repo', repo, 'backup', 'vm']);
			expect(result.exitCode).toBe(1);
			expect(result.stderr).toMatch(/kept changing while it was read \(3 attempts\)\. Give the item a --freeze-cmd/);
		} finally {
			clearInterval(writer);
		}

		expect(await pointIds(repo, 'vm')).toEqual([]);
	});
});
