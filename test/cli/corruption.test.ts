/** Corruption is found, not spread: a flipped byte, truncated and missing packs, and a damaged catalog page. */
import {closeSync, existsSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync} from 'node:fs';
import {basename, join} from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {hashTree} from '../helpers/hash-tree.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {rewriteRandomBlocks, sha256File, writeRandomFile} from '../helpers/volume.js';
import {dataPackFiles, flipByte, packFiles} from '../helpers/repo-files.js';

const diskBlocks = 128;
const healHint = 'Run `strata repair` (or back up the item again) to store again what the sources still hold; the listed points stay damaged until then, or restore from an unaffected one';

/** A repository with one random 2 MiB disk per name, each backed up once; `packsOf` maps an item to its new packs. */
async function repoWith(names: string[]) {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	const packsOf: Record<string, string[]> = {};
	const backup = async (name: string) => {
		const before = new Set(packFiles(repo));
		await cli.run(['backup', name]);
		packsOf[name] = dataPackFiles(repo).filter(path => !before.has(path));
	};

	for (const name of names) {
		writeRandomFile(join(dir, `${name}.img`), diskBlocks * 16 * 1024);
		await cli.run(['item', 'add', name, '--volume', join(dir, `${name}.img`)]);
		await backup(name);
	}

	return {dir, repo, cli, packsOf, backup};
}

/** Runs a restore that must be refused: one line saying `says`, exit 1, and no file left in the target's folder. */
async function expectRefusedRestore(repo: string, dir: string, args: string[], says: string) {
	const listing = readdirSync(dir).sort();
	const target = join(dir, 'refused.img');
	const refused = await runStrata(['--repo', repo, 'restore', ...args, '--to', target]);
	expect(refused.exitCode).toBe(1);
	expect(refused.stderr.trim().split('\n')).toHaveLength(1);
	expect(refused.stderr).toContain(says);
	// Nothing at the target, and no temporary file beside it.
	expect(existsSync(target)).toBe(false);
	expect(readdirSync(dir).sort()).toEqual(listing);
}

describe('damaged packs', () => {
	it('a flipped byte: verify --read-data names the object, its pack and the one point using it; that point writes nothing, the earlier one restores byte-identically', async () => {
		// Given rp1 (a full) and rp2, an incremental whose 8 new blocks went to a pack of their own.
		const {dir, repo, cli, packsOf, backup} = await repoWith(['a']);
		const disk = join(dir, 'a.img');
		const firstHash = sha256File(disk);
		rewriteRandomBlocks(disk, diskBlocks, 8);
		await backup('a');
		expect(packsOf['a']).toHaveLength(1);
		const pack = basename(packsOf['a']![0]!, '.pack');
		// The two first objects of that pack: the byte just before the second is the last byte of the first's data.
		const db = new Database(join(repo, 'catalog.db'));
		const objects = db.prepare('SELECT o.hash, o.offset FROM objects o JOIN packs p ON p.id = o.pack_id WHERE p.name = ? ORDER BY o.offset LIMIT 2').all(pack) as Array<{hash: Buffer; offset: number}>;
		db.close();
		expect(objects).toHaveLength(2);
		flipByte(packsOf['a']![0]!, objects[1]!.offset - 1);
		const damaged = objects[0]!.hash.toString('hex').slice(0, 12);

		const verify = await runStrata(['--repo', repo, 'verify', '--read-data']);
		expect(verify.exitCode).toBe(1);
		expect(verify.stdout.trim().split('\n')).toEqual([`damaged: object ${damaged} in pack ${pack}: contents do not match the hash`]);
		expect(verify.stderr).toBe(`strata: 1 damaged object(s); affected recovery points: a rp2. ${healHint}.`);

		// The unaffected point restores byte for byte; the affected one stops before writing anything.
		const restored = join(dir, 'rp1.img');
		await cli.run(['restore', 'a', '1', '--to', restored]);
		expect(sha256File(restored)).toBe(firstHash);
		await expectRefusedRestore(repo, dir, ['a', '2'], `strata: object ${damaged} in pack ${pack} is damaged (it does not match its hash).`);
	});

	it.each([
		['a truncated pack', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
		['a missing pack', (path: string) => rmSync(path)],
	])('%s: verify names the pack and the affected points (exit 1); the refused restore writes nothing; the other item still restores', async (_name, damage) => {
		const {dir, repo, cli, packsOf} = await repoWith(['a', 'b']);
		const pack = basename(packsOf['a']![0]!, '.pack');
		const otherPack = basename(packsOf['b']![0]!, '.pack');
		damage(packsOf['a']![0]!);

		const verify = await runStrata(['--repo', repo, 'verify']);
		expect(verify.exitCode).toBe(1);
		const lines = verify.stdout.trim().split('\n');
		const damagedLines = lines.filter(line => line.startsWith('damaged: '));
		expect(damagedLines.length).toBeGreaterThan(0);
		for (const line of damagedLines) expect(line).toMatch(new RegExp(`^damaged: object [0-9a-f]{12} in pack ${pack}: pack missing or too short$`));
		expect(verify.stdout).not.toContain(otherPack);
		expect(verify.stderr).toMatch(/^strata: \d+ damaged object\(s\); affected recovery points: a rp1\. Run `strata repair` /);
		expect(verify.stderr.trim().split('\n')).toHaveLength(1);

		await expectRefusedRestore(repo, dir, ['a', '1'], `strata: pack ${pack} is missing or shorter than the catalog says.`);
		await cli.run(['restore', 'b', '2', '--to', join(dir, 'b-out.img')]);
		expect(sha256File(join(dir, 'b-out.img'))).toBe(sha256File(join(dir, 'b.img')));
		const itemOnly = await runStrata(['--repo', repo, 'verify', 'b', '--read-data']);
		expect(itemOnly.exitCode, itemOnly.stderr).toBe(0);
	});
});

const catalogHint = 'Restore catalog.db from a copy of the repository, then run `strata verify --read-data` again.';

describe('a damaged catalog page', () => {
	it.each([
		// A table's page: SQLite cannot read the catalog, so no point can be checked.
		['block_map', /^strata: the repository catalog is damaged \(database disk image is malformed\), so verify cannot tell which recovery points are affected\. (.*)$/],
		// An index's page: the rows are intact and quick_check lists what is wrong.
		['objects_pack', /^strata: the repository catalog is damaged \(SQLite's quick_check found \d+ problem\(s\)\)\. (.*)$/],
	])('in %s: verify says the catalog is damaged and what to do (exit 1), and changes no file', async (tree, says) => {
		const {repo} = await repoWith(['a', 'b']);
		// Fold the WAL into the main file, then overwrite the tree's root page.
		const path = join(repo, 'catalog.db');
		const db = new Database(path);
		db.pragma('wal_checkpoint(TRUNCATE)');
		const pageSize = db.pragma('page_size', {simple: true}) as number;
		const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(tree) as number;
		db.close();
		const fd = openSync(path, 'r+');
		writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
		closeSync(fd);
		const before = hashTree(repo);
		for (const flags of [[], ['--read-data']]) {
			const verify = await runStrata(['--repo', repo, 'verify', ...flags]);
			expect(verify.exitCode).toBe(1);
			const match = says.exec(verify.stderr);
			expect(match, verify.stderr).not.toBeNull();
			expect(match![1]).toBe(catalogHint);
			expect(hashTree(repo)).toEqual(before);
		}
	});
});
