/** The volume engine through the real CLI: the worked example, churn, differentials, multi-disk, dedup, restores. */
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {CodecPool, Repository, runRestore} from '../../source/engine/index.js';
import {runStrata} from '../helpers/cli.js';
import {hashTree} from '../helpers/hash-tree.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, makeDisk, rewriteRandomBlocks, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';
import {dataPackFiles, folderBytes, openPackFiles} from '../helpers/repo-files.js';

type PointRow = {id: number; type: string; trigger: string; ownedBlocks: number; changedBlocks: number; storedBytes: number; logicalBytes: number; disks: Array<{name: string; size: number}>};

async function strata(repo: string, ...args: string[]) {
	const result = await runStrata(['--repo', repo, ...args]);
	expect(result.stderr, `strata ${args.join(' ')}`).toBe('');
	expect(result.exitCode, `strata ${args.join(' ')}`).toBe(0);
	return result.stdout;
}

async function points(repo: string, item: string): Promise<PointRow[]> {
	return JSON.parse(await strata(repo, 'points', item, '--json')) as PointRow[];
}

async function backup(repo: string, item: string, ...flags: string[]): Promise<PointRow> {
	return JSON.parse(await strata(repo, 'backup', item, '--json', ...flags)) as PointRow;
}

async function freshRepo(): Promise<{dir: string; repo: string}> {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	await strata(repo, 'init');
	return {dir, repo};
}

describe('volume backups', () => {
	it('reproduces the four-block example: owned 2, 1, 2, and every point restores byte-identically', async () => {
		const {dir, repo} = await freshRepo();
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 4);
		await strata(repo, 'item', 'add', 'vm1', '--volume', disk);
		const captured: string[] = [];

		// Given blocks 1 and 2 written, when the first backup runs, then it is a full owning D1 and D2.
		writeBlock(disk, 1, 0x11);
		writeBlock(disk, 2, 0x22);
		await backup(repo, 'vm1');
		captured.push(sha256File(disk));
		// Block 3 written: an incremental owning D3.
		writeBlock(disk, 3, 0x33);
		await backup(repo, 'vm1');
		captured.push(sha256File(disk));
		// Blocks 2 and 3 rewritten (block 2 by a single byte): an incremental owning D2' and D3'.
		writeBlock(disk, 2, Buffer.from([0x99]));
		writeBlock(disk, 3, 0x44);
		await backup(repo, 'vm1');
		captured.push(sha256File(disk));

		const rows = await points(repo, 'vm1');
		expect(rows.map(row => row.type)).toEqual(['full', 'incremental', 'incremental']);
		expect(rows.map(row => row.ownedBlocks)).toEqual([2, 1, 2]);
		expect(rows.map(row => row.changedBlocks)).toEqual([2, 1, 2]);
		expect(rows.map(row => row.trigger)).toEqual(['on-demand', 'on-demand', 'on-demand']);
		for (const [index, row] of rows.entries()) {
			const target = join(dir, `restore-${row.id}.img`);
			await strata(repo, 'restore', 'vm1', String(row.id), '--to', target);
			expect(sha256File(target), `rp${row.id}`).toBe(captured[index]);
		}
	});

	it('stores no zero blocks: a 64 KiB disk with data in blocks 1 and 2 gives a full of 2 blocks, restored sparse', async () => {
		const {dir, repo} = await freshRepo();
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 4);
		writeBlock(disk, 1, 0x01);
		writeBlock(disk, 2, 0x02);
		await strata(repo, 'item', 'add', 'small', '--volume', disk);
		const point = await backup(repo, 'small');
		expect(point.ownedBlocks).toBe(2);
		expect(point.logicalBytes).toBe(2 * blockSize);
		const target = join(dir, 'restored.img');
		await strata(repo, 'restore', 'small', String(point.id), '--to', target);
		expect(sha256File(target)).toBe(sha256File(disk));
		expect(statSync(target).size).toBe(4 * blockSize);
		expect(statSync(target).blocks * 512).toBeLessThanOrEqual(3 * blockSize);
	});

	it('stores a 5% churn of a 256 MiB volume as exactly the changed blocks, and both points restore', async () => {
		const {dir, repo} = await freshRepo();
		const disk = join(dir, 'big.img');
		const totalBlocks = (256 * 1024 * 1024) / blockSize;
		writeRandomFile(disk, totalBlocks * blockSize);
		await strata(repo, 'item', 'add', 'big', '--volume', disk);
		await backup(repo, 'big');
		const fullHash = sha256File(disk);
		const changed = Math.round(totalBlocks * 0.05);
		rewriteRandomBlocks(disk, totalBlocks, changed);
		const incremental = await backup(repo, 'big');
		expect(incremental.type).toBe('incremental');
		expect(incremental.ownedBlocks).toBe(changed);
		expect(incremental.changedBlocks).toBe(changed);
		expect(folderBytes(repo)).toBeLessThanOrEqual(1.05 * (totalBlocks * blockSize + changed * blockSize));
		const first = join(dir, 'rp1.img');
		const second = join(dir, 'rp2.img');
		await strata(repo, 'restore', 'big', '1', '--to', first);
		expect(sha256File(first)).toBe(fullHash);
		await strata(repo, 'restore', 'big', String(incremental.id), '--to', second);
		expect(sha256File(second)).toBe(sha256File(disk));
	});

	it('makes a differential own every block changed since the full; all four points restore', async () => {
		const {dir, repo} = await freshRepo();
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 8);
		for (let index = 0; index < 6; index++) writeBlock(disk, index, 0x10 + index);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		const hashes: string[] = [];
		await backup(repo, 'vm');
		hashes.push(sha256File(disk));
		writeBlock(disk, 1, 0xa1);
		await backup(repo, 'vm');
		hashes.push(sha256File(disk));
		writeBlock(disk, 2, 0xa2);
		writeBlock(disk, 7, 0xa7);
		await backup(repo, 'vm', '--type', 'incremental');
		hashes.push(sha256File(disk));
		writeBlock(disk, 3, 0);
		const differential = await backup(repo, 'vm', '--type', 'differential');
		hashes.push(sha256File(disk));
		expect(differential.type).toBe('differential');
		// Blocks 1, 2 and 7 changed since the full (owned), and block 3 became zero (an entry with no data to own).
		expect(differential.ownedBlocks).toBe(3);
		expect(differential.changedBlocks).toBe(1);
		const rows = await points(repo, 'vm');
		expect(rows.map(row => row.type)).toEqual(['full', 'incremental', 'incremental', 'differential']);
		for (const [index, row] of rows.entries()) {
			const target = join(dir, `r${row.id}.img`);
			await strata(repo, 'restore', 'vm', `rp${row.id}`, '--to', target);
			expect(sha256File(target), `rp${row.id}`).toBe(hashes[index]);
		}
	});

	it('keeps no pack open after a restore through a shared codec pool (the workers keep packs open only during one)', async () => {
		const {dir, repo} = await freshRepo();
		const disk = join(dir, 'disk.img');
		writeRandomFile(disk, 8 * 1024 * 1024);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		await backup(repo, 'vm');
		const pool = new CodecPool(2);
		const opened = Repository.open(repo);
		try {
			await runRestore(opened, 'vm', 1, {to: join(dir, 'out.img'), pool});
			expect(sha256File(join(dir, 'out.img'))).toBe(sha256File(disk));
			expect(openPackFiles(repo)).toEqual([]);
		} finally {
			opened.close();
			await pool.close();
		}
	});

	it('stores identical disks of two items once', async () => {
		const {dir, repo} = await freshRepo();
		const a = join(dir, 'a.img');
		const b = join(dir, 'b.img');
		writeRandomFile(a, 8 * 1024 * 1024);
		copyFileSync(a, b);
		await strata(repo, 'item', 'add', 'first', '--volume', a);
		await strata(repo, 'item', 'add', 'second', '--volume', b);
		await backup(repo, 'first');
		// The packs of data (the second backup adds only its records: its manifest and the state).
		const dataPacks = () => Object.fromEntries(dataPackFiles(repo).map(path => [path, sha256File(path)]));
		const packsAfterFirst = dataPacks();
		const second = await backup(repo, 'second');
		expect(second.ownedBlocks).toBe(512);
		expect(second.storedBytes).toBe(0);
		expect(dataPacks()).toEqual(packsAfterFirst);
	});

	it('backs up and restores a multi-disk item to a folder, or one disk with --disk', async () => {
		const {dir, repo} = await freshRepo();
		const disks = ['os.img', 'data.img', 'logs.img'].map(name => join(dir, name));
		for (const [index, disk] of disks.entries()) {
			makeDisk(disk, 16);
			writeBlock(disk, index, 0x40 + index);
			writeBlock(disk, 15, randomByte(index));
		}

		await strata(repo, 'item', 'add', 'vm', ...disks.flatMap(disk => ['--volume', disk]));
		const point = await backup(repo, 'vm');
		expect(point.disks.map(disk => disk.name)).toEqual(['os.img', 'data.img', 'logs.img']);
		const target = join(dir, 'restored');
		await strata(repo, 'restore', 'vm', String(point.id), '--to', target);
		for (const disk of disks) expect(sha256File(join(target, disk.split('/').at(-1)!))).toBe(sha256File(disk));
		const one = join(dir, 'only-data.img');
		await strata(repo, 'restore', 'vm', String(point.id), '--disk', 'data.img', '--to', one);
		expect(sha256File(one)).toBe(sha256File(disks[1]!));
	});

	it('refuses a restore onto a non-empty target without --force and leaves it untouched', async () => {
		const {dir, repo} = await freshRepo();
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 2);
		writeBlock(disk, 0, 0x55);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		await backup(repo, 'vm');
		const target = join(dir, 'existing.img');
		writeFileSync(target, 'precious');
		const refused = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', target]);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr.trim().split('\n')).toHaveLength(1);
		expect(refused.stderr).toMatch(/^strata: restore target .* exists and is not empty\. .*--force/);
		expect(readFileSync(target, 'utf8')).toBe('precious');
		await strata(repo, 'restore', 'vm', '1', '--to', target, '--force');
		expect(sha256File(target)).toBe(sha256File(disk));
		expect(readdirSync(dir).filter(name => name.includes('strata-restore'))).toEqual([]);
		const intoRepo = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', join(repo, 'x.img')]);
		expect(intoRepo.exitCode).toBe(1);
		expect(existsSync(join(repo, 'x.img'))).toBe(false);
		const ontoSource = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', disk, '--force']);
		expect(ontoSource.exitCode).toBe(1);
		expect(ontoSource.stderr).toMatch(/is a source disk/);
	});

	it.each(['../escape.img', 'a/b', '..', 'a\\b'])('refuses a disk name %j from the catalog that would steer a write out of --to, writing nothing', async name => {
		// Given a two-disk item whose second disk's name in the catalog was tampered with.
		const {dir, repo} = await freshRepo();
		const disks = ['os.img', 'data.img'].map(disk => join(dir, disk));
		for (const [index, disk] of disks.entries()) {
			makeDisk(disk, 4);
			writeBlock(disk, index, 0x60 + index);
		}

		await strata(repo, 'item', 'add', 'vm', ...disks.flatMap(disk => ['--volume', disk]));
		await backup(repo, 'vm');
		const db = new Database(join(repo, 'catalog.db'));
		expect(db.prepare("UPDATE disks SET name = ? WHERE name = 'data.img'").run(name).changes).toBe(1);
		db.close();
		const target = join(dir, 'out', 'restore');
		mkdirSync(target, {recursive: true});
		const before = hashTree(dir);
		// When the whole point is restored into the folder, or the bad disk alone into it or into a file path in it.
		for (const how of [['--to', target], ['--to', target, '--disk', name], ['--to', join(target, 'one.img'), '--disk', name]]) {
			const refused = await runStrata(['--repo', repo, 'restore', 'vm', '1', ...how]);
			// Then each is refused in one line naming the disk, and no byte is written anywhere: not in the folder, not beside it.
			expect(refused.exitCode, refused.stderr).toBe(1);
			expect(refused.stderr.trim().split('\n')).toHaveLength(1);
			expect(refused.stderr).toContain(`strata: disk name "${name}" in the catalog is not a plain file name.`);
			expect(hashTree(dir)).toEqual(before);
			expect(readdirSync(target)).toEqual([]);
		}

		// The untouched disk still restores on its own.
		await strata(repo, 'restore', 'vm', '1', '--disk', 'os.img', '--to', join(target, 'os.img'));
		expect(sha256File(join(target, 'os.img'))).toBe(sha256File(disks[0]!));
	});
});

function randomByte(seed: number): number {
	return (seed * 73 + 19) % 255 + 1;
}
