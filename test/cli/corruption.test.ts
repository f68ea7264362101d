/** Corruption is found, not spread: truncated, missing and damaged packs, and a damaged catalog page. */
import {closeSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {sha256File, writeRandomFile} from '../helpers/volume.js';
import {packFiles} from '../helpers/repo-files.js';

/** Two items whose data sit in different packs: damage to one must not touch the other. */
async function twoItems() {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	const packsOf: Record<string, string[]> = {};
	for (const name of ['a', 'b']) {
		writeRandomFile(join(dir, `${name}.img`), 2 * 1024 * 1024);
		await cli.run(['item', 'add', name, '--volume', join(dir, `${name}.img`)]);
		const before = new Set(packFiles(repo));
		await cli.run(['backup', name]);
		packsOf[name] = packFiles(repo).filter(path => !before.has(path));
	}

	return {dir, repo, cli, packsOf};
}

describe('damaged repositories', () => {
	it.each([
		['a truncated pack', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
		['a missing pack', (path: string) => rmSync(path)],
	])('%s: verify names the affected points (exit 1); the other item still restores', async (_name, damage) => {
		const {dir, repo, cli, packsOf} = await twoItems();
		damage(packsOf['a']![0]!);
		const verify = await runStrata(['--repo', repo, 'verify']);
		expect(verify.exitCode).toBe(1);
		expect(verify.stderr).toMatch(/affected recovery points: a rp1\./);
		const refused = await runStrata(['--repo', repo, 'restore', 'a', '1', '--to', join(dir, 'a-out.img')]);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toMatch(/pack .* is missing or shorter|is damaged/);
		await cli.run(['restore', 'b', '2', '--to', join(dir, 'b-out.img')]);
		expect(sha256File(join(dir, 'b-out.img'))).toBe(sha256File(join(dir, 'b.img')));
		const itemOnly = await runStrata(['--repo', repo, 'verify', 'b', '--read-data']);
		expect(itemOnly.exitCode).toBe(0);
	});

	it('a damaged catalog page: verify reports it with exit 1, in one line', async () => {
		const {repo} = await twoItems();
		// Fold the WAL into the main file, then overwrite a page in the middle of it.
		const db = new Database(join(repo, 'catalog.db'));
		db.pragma('wal_checkpoint(TRUNCATE)');
		db.close();
		const path = join(repo, 'catalog.db');
		const pageSize = 4096;
		const pages = statSync(path).size / pageSize;
		const fd = openSync(path, 'r+');
		writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, Math.floor(pages / 2) * pageSize);
		closeSync(fd);
		const verify = await runStrata(['--repo', repo, 'verify']);
		expect(verify.exitCode).toBe(1);
		expect(verify.stderr.trim().split('\n')).toHaveLength(1);
		expect(verify.stderr).toMatch(/^strata: .*(catalog|damaged)/);
	});
});
