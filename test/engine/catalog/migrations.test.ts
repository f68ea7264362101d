import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {catalogVersion, migrate} from '../../../source/engine/catalog/migrations.js';
import {StrataError} from '../../../source/engine/errors.js';
import {listItems} from '../../../source/engine/items.js';
import {Repository, repositoryFormat} from '../../../source/engine/repository.js';
import {makeTempDir} from '../../helpers/tmp.js';

const opened: Repository[] = [];
afterEach(() => {
	for (const repo of opened.splice(0)) repo.close();
});

function open(path: string): Repository {
	const repo = Repository.open(path);
	opened.push(repo);
	return repo;
}

/** The code of what `action` throws, failing the test when it throws nothing or a non-Strata error. */
function thrownCode(action: () => unknown): string {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(StrataError);
		return (error as StrataError).code;
	}

	throw new Error('expected an error, none was thrown');
}

/** A repository as the first release wrote it: catalog schema 1, format 1, one item with one disk. */
function makeVersion1Repository(): string {
	const path = join(makeTempDir(), 'repo');
	mkdirSync(join(path, 'packs'), {recursive: true});
	mkdirSync(join(path, 'tmp'));
	const db = new Database(join(path, 'catalog.db'));
	db.pragma('journal_mode = WAL');
	migrate(db, 1);
	const {lastInsertRowid} = db
		.prepare('INSERT INTO items (name, kind, block_size, settings, created_at) VALUES (?, ?, ?, ?, ?)')
		.run('vm1', 'volume', 16_384, '{}', '2025-06-01T00:00:00.000Z');
	db.prepare('INSERT INTO disks (item_id, name, path) VALUES (?, ?, ?)').run(lastInsertRowid, 'disk.img', '/srv/vm1/disk.img');
	db.close();
	writeConfig(path, 1);
	return path;
}

function writeConfig(path: string, format: number): void {
	writeFileSync(join(path, 'strata.json'), JSON.stringify({format, id: 'c0ffee00-0000-4000-8000-000000000000', createdAt: '2025-06-01T00:00:00.000Z'}));
}

function userVersion(path: string): number {
	const db = new Database(join(path, 'catalog.db'), {readonly: true});
	try {
		return db.pragma('user_version', {simple: true}) as number;
	} finally {
		db.close();
	}
}

describe('catalog migrations', () => {
	it('upgrades an older catalog on open and keeps its items', () => {
		// There must be something to upgrade, or this test proves nothing.
		expect(catalogVersion).toBeGreaterThan(1);
		const path = makeVersion1Repository();
		expect(userVersion(path)).toBe(1);

		const repo = open(path);

		expect(repo.db.pragma('user_version', {simple: true})).toBe(catalogVersion);
		const items = listItems(repo);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({name: 'vm1', kind: 'volume', state: 'active', blockSize: 16_384, disks: [{name: 'disk.img', path: '/srv/vm1/disk.img'}]});
		repo.close();
		expect(userVersion(path)).toBe(catalogVersion);
	});

	it('opens an up-to-date catalog without changing its version', () => {
		const path = join(makeTempDir(), 'repo');
		Repository.init(path).close();
		expect(userVersion(path)).toBe(catalogVersion);
		open(path);
		expect(userVersion(path)).toBe(catalogVersion);
	});

	it('refuses a catalog newer than this build with CATALOG_TOO_NEW, leaving it as it was', () => {
		const path = join(makeTempDir(), 'repo');
		Repository.init(path).close();
		const db = new Database(join(path, 'catalog.db'));
		db.pragma(`user_version = ${catalogVersion + 1}`);
		db.close();

		expect(thrownCode(() => open(path))).toBe('CATALOG_TOO_NEW');
		expect(userVersion(path)).toBe(catalogVersion + 1);
	});

	it('refuses a repository format newer than this build with REPO_TOO_NEW', () => {
		const path = makeVersion1Repository();
		writeConfig(path, 99);

		expect(thrownCode(() => open(path))).toBe('REPO_TOO_NEW');
		// Refused before the catalog was touched.
		expect(userVersion(path)).toBe(1);
	});

	it('relabels a format-1 repository that holds no object, and refuses one whose objects are named by SHA-256', () => {
		// Given two development-build repositories, one empty and one with a stored object
		const empty = makeVersion1Repository();
		const used = makeVersion1Repository();
		const db = new Database(join(used, 'catalog.db'));
		migrate(db);
		db.prepare("INSERT INTO packs (id, name, size, created_at) VALUES (1, 'aa', 100, '2025-06-01T00:00:00.000Z')").run();
		db.prepare('INSERT INTO objects (hash, pack_id, offset, stored_length, raw_length, codec) VALUES (?, 1, 8, 10, 10, 0)').run(Buffer.alloc(32, 7));
		db.close();

		// Then the empty one opens and is format 2 from now on, and the other is refused without being relabelled
		open(empty);
		expect(JSON.parse(readFileSync(join(empty, 'strata.json'), 'utf8')).format).toBe(repositoryFormat);
		expect(thrownCode(() => open(used))).toBe('REPO_TOO_OLD');
		expect(JSON.parse(readFileSync(join(used, 'strata.json'), 'utf8')).format).toBe(1);
	});
});
