/**
 * Live sources and in-place restores on real loop devices (as root): a mounted filesystem is not read behind its
 * back, a source that changes without its times moving is caught, and a restore onto a device either checks every
 * object before the first byte is written or says the device is partly overwritten.
 */
import {execFileSync} from 'node:child_process';
import {closeSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa, type ResultPromise} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {LoopDevices, loopDevicesUnavailable} from '../helpers/loop.js';
import {flipByte, packFiles} from '../helpers/repo-files.js';
import {makeTempDir} from '../helpers/tmp.js';
import {sha256File, writeRandomFile} from '../helpers/volume.js';

const mib = 1024 * 1024;

/** `strata --repo REPO ARGS...`, which must succeed (test/helpers/strata.ts). */
async function strata(repo: string, ...args: string[]): Promise<string> {
	return strataFor(repo).run(args);
}

async function pointIds(repo: string, item: string): Promise<number[]> {
	return (await strataFor(repo).points(item)).map(row => row.id);
}

describe('the item settings for devices in use', () => {
	it('are set by item add and item set, shown by item list, and refused for a database', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		writeFileSync(disk, 'x');
		await strata(repo, 'init');
		await strata(repo, 'item', 'add', 'vm', '--volume', disk, '--allow-live');
		const list = async () => JSON.parse(await strata(repo, 'item', 'list', '--json')) as Array<{name: string; allowLive: boolean}>;
		expect((await list())[0]!.allowLive).toBe(true);
		expect(await strata(repo, 'item', 'set', 'vm', '--no-allow-live', '--freeze-cmd', 'sync')).toMatch(/^Item vm: freeze command sync, thaw command none; block devices in use are refused unless frozen$/m);
		expect((await list())[0]!.allowLive).toBe(false);
		expect(await strata(repo, 'item', 'set', 'vm', '--allow-live', '--freeze-cmd', 'none')).toMatch(/^Item vm: no freeze command; block devices in use are read live/m);

		await strata(repo, 'item', 'add', 'db', '--postgres', 'shop');
		const onDatabase = await runStrata(['--repo', repo, 'item', 'set', 'db', '--allow-live']);
		expect(onDatabase.exitCode).toBe(1);
		expect(onDatabase.stderr).toMatch(/^strata: item "db" is a PostgreSQL database; freeze commands and --allow-live apply to volumes\./);
		const added = await runStrata(['--repo', repo, 'item', 'add', 'db2', '--postgres', 'shop', '--allow-live']);
		expect(added.exitCode).toBe(2);
		const nothing = await runStrata(['--repo', repo, 'item', 'set', 'vm']);
		expect(nothing.exitCode).toBe(2);
		expect((await list()).map(item => [item.name, item.allowLive])).toEqual([['vm', true], ['db', false]]);
	});
});

describe('a file source that changes while its size and mtime stay the same', () => {
	it('is read again and then refused as changing (its mtime was set back after every write)', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		await strata(repo, 'init');
		writeRandomFile(disk, 32 * mib);
		// A whole second, so setting it back is exact.
		const mtime = 1_700_000_000;
		utimesSync(disk, mtime, mtime);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		const writer = setInterval(() => {
			const fd = openSync(disk, 'r+');
			writeSync(fd, Buffer.from(String(process.hrtime.bigint())), 0, undefined, 3 * 4096 + 100);
			closeSync(fd);
			utimesSync(disk, mtime, mtime);
		}, 5);
		let result;
		try {
			result = await runStrata(['--repo', repo, 'backup', 'vm']);
		} finally {
			clearInterval(writer);
		}

		expect(statSync(disk).mtimeMs).toBe(mtime * 1000);
		expect(statSync(disk).size).toBe(32 * mib);
		expect(result.exitCode, result.stdout).toBe(1);
		expect(result.stderr).toMatch(/^strata: volume .*disk\.img kept changing while it was read \(3 attempts\)\./);
		expect(await pointIds(repo, 'vm')).toEqual([]);
	});
});

const skip = loopDevicesUnavailable(['losetup', 'mkfs.ext4', 'e2fsck', 'debugfs', 'fsfreeze', 'mknod']);

describe.skipIf(skip !== undefined)(`block devices${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
	const loops = new LoopDevices();
	const writers: ResultPromise[] = [];
	afterAll(async () => {
		for (const writer of writers) writer.kill('SIGKILL');
		await Promise.allSettled(writers);
		loops.cleanup();
	});

	it('refuses a mounted ext4 that is being written unless frozen; frozen, its copy passes e2fsck', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const image = join(dir, 'fs.img');
		const mountPoint = join(dir, 'mnt');
		writeFileSync(image, '');
		truncateSync(image, 64 * mib);
		const device = loops.attach(image);
		loops.mountExt4(device, mountPoint);
		await strata(repo, 'init');
		// Given: a writer rewriting files (each fsynced) for as long as the test runs.
		const writer = execa('sh', ['-c', `i=0; while :; do dd if=/dev/urandom of=${mountPoint}/f$((i % 8)) bs=64k count=8 conv=fsync status=none; i=$((i + 1)); done`], {reject: false});
		writers.push(writer);
		await sleep(200);

		// When: backed up without a freeze command, the device is refused (it is mounted), with the way out.
		await strata(repo, 'item', 'add', 'live', '--volume', device);
		const refused = await runStrata(['--repo', repo, 'backup', 'live']);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr.trim().split('\n')).toHaveLength(1);
		expect(refused.stderr).toMatch(new RegExp(`^strata: volume ${device} of item "live" is in use \\(mounted or held\\).*--freeze-cmd 'fsfreeze -f MOUNTPOINT' --thaw-cmd 'fsfreeze -u MOUNTPOINT'.*--allow-live`));
		expect(await pointIds(repo, 'live')).toEqual([]);

		// With a freeze command the backup runs while the writer keeps trying, and the copy is a clean filesystem.
		await strata(repo, 'item', 'set', 'live', '--freeze-cmd', `fsfreeze -f ${mountPoint}`, '--thaw-cmd', `fsfreeze -u ${mountPoint}`);
		await strata(repo, 'backup', 'live');
		expect(await pointIds(repo, 'live')).toEqual([1]);
		const restored = join(dir, 'restored.img');
		await strata(repo, 'restore', 'live', '1', '--to', restored);
		const check = await execa('e2fsck', ['-fn', restored], {reject: false});
		expect(check.exitCode, check.stdout).toBe(0);

		// An item allowed to read live is read (here once the writer has stopped and the filesystem is idle).
		writer.kill('SIGKILL');
		await writer;
		execFileSync('sync');
		await strata(repo, 'item', 'add', 'allowed', '--volume', device, '--allow-live');
		const listed = JSON.parse(await strata(repo, 'item', 'list', '--json')) as Array<{name: string; allowLive: boolean}>;
		expect(listed.map(item => [item.name, item.allowLive])).toEqual([['live', false], ['allowed', true]]);
		expect(await strata(repo, 'item', 'list')).toMatch(/allowed\s+volume\s+\S+\s+-\s+allowed\s/);
		await strata(repo, 'backup', 'allowed');
		expect(await pointIds(repo, 'allowed')).toEqual([2]);
	});

	it('catches a device written behind its node (its mtime does not move): read again, then refused as changing', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const image = join(dir, 'raw.img');
		writeRandomFile(image, 32 * mib);
		const device = loops.attach(image);
		// A second node for the same device stands in for a filesystem: writes through it leave the item's node alone.
		const {rdev} = statSync(device);
		const alias = join(dir, 'alias');
		execFileSync('mknod', [alias, 'b', String(Math.floor(rdev / 256) & 0xfff), String(rdev & 0xff)]);
		const deviceMtime = statSync(device).mtimeMs;
		await strata(repo, 'init');
		await strata(repo, 'item', 'add', 'raw', '--volume', device);
		const writer = setInterval(() => {
			const fd = openSync(alias, 'r+');
			writeSync(fd, Buffer.from(String(process.hrtime.bigint())), 0, undefined, 4096 + 7);
			closeSync(fd);
		}, 5);
		let result;
		try {
			result = await runStrata(['--repo', repo, 'backup', 'raw']);
		} finally {
			clearInterval(writer);
		}

		expect(statSync(device).mtimeMs).toBe(deviceMtime);
		expect(result.exitCode, result.stdout).toBe(1);
		expect(result.stderr).toMatch(new RegExp(`^strata: volume ${device} kept changing while it was read \\(3 attempts\\)\\.`));
		expect(await pointIds(repo, 'raw')).toEqual([]);
	});

	async function repoWithPoint(dir: string) {
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		await strata(repo, 'init');
		writeRandomFile(disk, 32 * mib);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		await strata(repo, 'backup', 'vm');
		return repo;
	}

	it('refuses to restore onto a mounted device before reading or writing anything', async () => {
		const dir = makeTempDir();
		const repo = await repoWithPoint(dir);
		const image = join(dir, 'mounted.img');
		writeFileSync(image, '');
		truncateSync(image, 32 * mib);
		const device = loops.attach(image);
		loops.mountExt4(device, join(dir, 'mnt'));
		// The mounted filesystem writes its own metadata now and then, so its files are checked, not the device's hash.
		writeFileSync(join(dir, 'mnt', 'marker'), 'still here');
		execFileSync('sync');
		const result = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', device, '--force']);
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toMatch(new RegExp(`^strata: restore target ${device} is in use \\(mounted or held\\)\\. Unmount it`));
		expect(readFileSync(join(dir, 'mnt', 'marker'), 'utf8')).toBe('still here');
		const check = await execa('e2fsck', ['-fn', device], {reject: false});
		expect(check.exitCode, check.stdout).toBe(0);
	});

	it('refuses to restore a damaged point onto a device with --force before writing a byte, naming the damage', async () => {
		const dir = makeTempDir();
		const repo = await repoWithPoint(dir);
		// One flipped byte 4 MB into the largest pack.
		const pack = packFiles(repo).sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
		expect(statSync(pack).size).toBeGreaterThan(4_000_000);
		flipByte(pack, 4_000_000);
		const targetImage = join(dir, 'target.img');
		writeRandomFile(targetImage, 32 * mib);
		const device = loops.attach(targetImage);
		const before = sha256File(device);

		const result = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', device, '--force']);
		expect(sha256File(device)).toBe(before);
		expect(result.exitCode).toBe(1);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(new RegExp(`^strata: rp1 of "vm" cannot be restored: object [0-9a-f]{12} in pack \\S+ is damaged .*; nothing was written to ${device}\\. Run \`strata verify --read-data\``));
		expect(sha256File(device)).toBe(before);
	});

	it('reads what a mounted filesystem wrote since the last backup, not stale pages of the device cache', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const image = join(dir, 'fs.img');
		const mountPoint = join(dir, 'mnt');
		writeFileSync(image, '');
		truncateSync(image, 64 * mib);
		const device = loops.attach(image);
		loops.mountExt4(device, mountPoint);
		await strata(repo, 'init');
		await strata(repo, 'item', 'add', 'fs', '--volume', device, '--freeze-cmd', `fsfreeze -f ${mountPoint}`, '--thaw-cmd', `fsfreeze -u ${mountPoint}`);
		const file = join(mountPoint, 'data');
		writeRandomFile(file, 8 * mib);
		execFileSync('sync');
		await strata(repo, 'backup', 'fs');
		// The filesystem rewrites the file's blocks in place: its writes go to the device, not through the device's cache.
		execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=8', 'conv=notrunc,fsync', 'status=none']);
		const expected = sha256File(file);
		await strata(repo, 'backup', 'fs');
		const restored = join(dir, 'restored.img');
		await strata(repo, 'restore', 'fs', '2', '--to', restored);
		const copy = join(dir, 'data.copy');
		execFileSync('debugfs', ['-R', `dump /data ${copy}`, restored], {stdio: 'ignore'});
		expect(sha256File(copy)).toBe(expected);
	});

	it('says a device is partly overwritten, and how much, when a write fails after the check', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const disk = join(dir, 'disk.img');
		await strata(repo, 'init');
		writeRandomFile(disk, 32 * mib);
		await strata(repo, 'item', 'add', 'vm', '--volume', disk);
		await strata(repo, 'backup', 'vm');
		// Given: a 32 MiB device whose backing file sits on a 12 MiB tmpfs, so writes past ~12 MiB fail with an I/O error.
		const small = join(dir, 'small');
		mkdirSync(small);
		loops.mountTmpfs(small, 12);
		const backing = join(small, 'target.img');
		writeFileSync(backing, '');
		truncateSync(backing, 32 * mib);
		const device = loops.attach(backing);

		const result = await runStrata(['--repo', repo, 'restore', 'vm', '1', '--to', device, '--force']);
		expect(result.exitCode).toBe(1);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(new RegExp(`^strata: restore onto ${device} failed after writing to it \\(.+\\): the device is partly overwritten, up to \\d+\\.\\d of 32\\.0 MiB, and holds neither its old contents nor the point\\.`));
	});
});
