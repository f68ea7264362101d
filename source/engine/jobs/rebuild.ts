/**
 * `strata catalog rebuild`: recreates catalog.db from the packs alone. Every pack's index is read (a pack whose index
 * cannot be read is reported and skipped); the objects they list become the catalog's objects; the newest state record
 * gives the items, disks, policies and settings; per point the newest record (head or tombstone, by seq) gives the
 * point, with the same id, and its parts the block map or recipe with each object's charge; the aggregates are then
 * computed as a commit computes them. Points that need an object or a manifest part no readable pack holds are
 * reported, with the points based on them.
 *
 * The catalog is built in tmp/, made durable, and renamed into place last: a rebuild killed at any instant leaves no
 * catalog.db (or the complete one), and running it again gives the same result. `--force` first moves an existing
 * catalog (with its -wal and -shm) aside, never deleting it.
 */
import {closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {commitsFileName, recordedCommits} from '../catalog/commits.js';
import {catalogPacks} from '../catalog/manifests.js';
import {objectsInPack} from '../catalog/objects.js';
import {asideCatalogName, RebuildingCatalog, rebuildFileName} from '../catalog/rebuild.js';
import {now} from '../clock.js';
import {crashPoint} from '../crash.js';
import {RuntimeError, UserError} from '../errors.js';
import {formatRecoveryPointId} from '../model/index.js';
import type {Repository} from '../repository.js';
import {lockForDeletionSync} from '../repository-locks.js';
import {Codec, contentHash, decodeRecord, entryAt, fsyncPath, type ManifestHead, newerRecord, ObjectKind, type PackIndexEntry, packPath, readPackIndex, type RepositoryState, type Tombstone} from '../store/index.js';

export type RebuildOptions = {force?: boolean | undefined};

export type UnrestorablePoint = {item: string; id: number; problem: string};

export type RebuildReport = {
	catalog: string;
	/** Where --force moved the catalog that was there. */
	movedAside: string | undefined;
	packs: number;
	objects: number;
	items: number;
	policies: number;
	points: number;
	damagedPacks: Array<{pack: string; problem: string}>;
	brokenPoints: UnrestorablePoint[];
};

const catalogName = 'catalog.db';

/** The pack files under packs/, by name. */
function packFiles(packsDir: string): Array<{name: string; path: string; size: number}> {
	const files: Array<{name: string; path: string; size: number}> = [];
	for (const entry of readdirSync(packsDir, {recursive: true, withFileTypes: true})) {
		if (!entry.isFile() || !entry.name.endsWith('.pack')) continue;
		const path = join(entry.parentPath, entry.name);
		files.push({name: entry.name.slice(0, -'.pack'.length), path, size: statSync(path).size});
	}

	return files.sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads `length` bytes at `offset` of a file. */
function readAt(path: string, offset: number, length: number): Buffer | undefined {
	const fd = openSync(path, 'r');
	try {
		const bytes = Buffer.alloc(length);
		return readSync(fd, bytes, 0, length, offset) === length ? bytes : undefined;
	} finally {
		closeSync(fd);
	}
}

/** A record object's bytes, checked against its hash; undefined when unreadable or damaged. */
function readRecord(packsDir: string, place: {packName: string; offset: number; storedLength: number; codec: number}, hash: Buffer): Buffer | undefined {
	if (place.codec !== Codec.Raw) return undefined;
	const bytes = readAt(packPath(packsDir, place.packName), place.offset, place.storedLength);
	return bytes && contentHash(bytes).equals(hash) ? bytes : undefined;
}

/** Moves catalog.db and its -wal and -shm aside (--force), or stray -wal/-shm of a deleted catalog; returns the new name. */
function moveAside(repoPath: string): string | undefined {
	const stamp = now().toISOString().replace(/[:.]/g, '-');
	const aside = join(repoPath, asideCatalogName(`${stamp}-${process.pid}`));
	let moved = false;
	for (const suffix of ['', '-wal', '-shm']) {
		const from = join(repoPath, `${catalogName}${suffix}`);
		if (!existsSync(from)) continue;
		renameSync(from, `${aside}${suffix}`);
		moved = true;
	}

	if (moved) fsyncPath(repoPath);
	return moved ? aside : undefined;
}

/** Rebuilds the catalog of the repository at `repoPath` from its packs. */
export function rebuildCatalog(repoPath: string, options: RebuildOptions = {}): RebuildReport {
	const configPath = join(repoPath, 'strata.json');
	if (!existsSync(configPath)) {
		throw new UserError('NOT_A_REPO', `${repoPath} is not a Strata repository (no strata.json)`, {hint: 'Point --repo at a repository folder'});
	}

	const config = JSON.parse(readFileSync(configPath, 'utf8')) as {format?: number};
	if (config.format !== 3) {
		throw new RuntimeError('REBUILD_UNSUPPORTED', `the repository at ${repoPath} has format ${String(config.format)}, whose packs do not describe the catalog`, {
			hint: 'Only format-3 repositories can be rebuilt from their packs; restore catalog.db from a copy, then run `strata upgrade`',
		});
	}

	const catalogPath = join(repoPath, catalogName);
	if (existsSync(catalogPath) && !options.force) {
		throw new UserError('CATALOG_EXISTS', `the repository at ${repoPath} has a catalog (${catalogPath})`, {
			hint: 'Rebuild only a lost catalog; `strata catalog rebuild --force` moves the existing one aside and rebuilds',
		});
	}

	const lock = lockForDeletionSync(repoPath, {command: 'catalog rebuild'});
	try {
		// A -wal or -shm without its catalog belongs to the lost one: never let SQLite apply it to the new file.
		const movedAside = moveAside(repoPath);
		const tmpDir = join(repoPath, 'tmp');
		const buildPath = join(tmpDir, rebuildFileName);
		for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${buildPath}${suffix}`, {force: true});
		const report = build(repoPath, buildPath);
		crashPoint('rebuild-built');
		// The commit count the side file will hold: never below what it held, or opening would report lost commits.
		const commitsFile = join(repoPath, commitsFileName);
		writeFileSync(`${commitsFile}.tmp-${process.pid}`, `${report.commits}\n`, {mode: 0o600});
		renameSync(`${commitsFile}.tmp-${process.pid}`, commitsFile);
		renameSync(buildPath, catalogPath);
		fsyncPath(repoPath);
		crashPoint('rebuild-renamed');
		return {...report.summary, catalog: catalogPath, movedAside};
	} finally {
		lock.release();
	}
}

type Built = {summary: Omit<RebuildReport, 'catalog' | 'movedAside'>; commits: number};

function build(repoPath: string, buildPath: string): Built {
	const packsDir = join(repoPath, 'packs');
	const at = now().toISOString();
	const catalog = new RebuildingCatalog(buildPath);
	try {
		// 1. Every pack's index: its objects, and where the records are.
		const damagedPacks: RebuildReport['damagedPacks'] = [];
		const records: Array<PackIndexEntry & {packName: string}> = [];
		let packs = 0;
		for (const file of packFiles(packsDir)) {
			const index = readPackIndex(file.path);
			if ('problem' in index) {
				damagedPacks.push({pack: file.name, problem: index.problem});
				continue;
			}

			const packId = catalog.insertPack(file.name, file.size, at);
			packs++;
			for (const entry of index.entries) {
				catalog.addObject(entry.hash, packId, entry.offset, entry.storedLength, entry.rawLength, entry.codec);
				if (entry.kind !== ObjectKind.Data) records.push({...entry, packName: file.name});
			}
		}

		crashPoint('rebuild-scanned');

		// 2. The newest state, and per point its newest head or tombstone (parts are read later, one at a time).
		let state: {record: RepositoryState; hash: Buffer} | undefined;
		const newest = new Map<number, {head?: ManifestHead; tombstone?: Tombstone; seq: number; writtenAt: number; hash: Buffer}>();
		let maxSeq = 0;
		for (const entry of records) {
			const tag = readAt(packPath(packsDir, entry.packName), entry.offset, 1)?.[0];
			// Parts ('B', 'R') are read with their head.
			if (tag === undefined || tag === 0x42 || tag === 0x52) continue;
			const bytes = readRecord(packsDir, entry, entry.hash);
			const decoded = bytes && decodeRecord(bytes);
			if (!decoded) continue;
			if (decoded.tag === 'state') {
				maxSeq = Math.max(maxSeq, decoded.state.seq);
				if (newerRecord(decoded.state, state?.record)) state = {record: decoded.state, hash: entry.hash};
			} else if (decoded.tag === 'head' || decoded.tag === 'tombstone') {
				const record = decoded.tag === 'head' ? decoded.head : decoded.tombstone;
				const pointId = decoded.tag === 'head' ? decoded.head.point.id : decoded.tombstone.pointId;
				maxSeq = Math.max(maxSeq, record.seq);
				if (newerRecord(record, newest.get(pointId))) {
					newest.set(pointId, {...(decoded.tag === 'head' ? {head: decoded.head} : {tombstone: decoded.tombstone}), seq: record.seq, writtenAt: record.writtenAt, hash: entry.hash});
				}
			}
		}

		// 3. Items, disks, policies, settings.
		const itemNames = new Map<number, string>();
		if (state) {
			for (const policy of state.record.policies) catalog.insertPolicy(policy);
			for (const item of state.record.items) {
				catalog.insertItem(item);
				itemNames.set(item.id, item.name);
			}

			for (const [key, value] of Object.entries(state.record.settings)) catalog.putSetting(key, value);
			catalog.setRecords(0, [catalog.objectId(state.hash).id], ObjectKind.State);
		}

		// 4. Points, in id order (a base is older than the points based on it).
		const brokenPoints: UnrestorablePoint[] = [];
		const broken = new Set<number>();
		const created = new Map<number, ManifestHead['point']>();
		let points = 0;
		for (const [pointId, record] of [...newest].sort((a, b) => a[0] - b[0])) {
			if (!record.head) {
				// A deleted point: its tombstone stays a current record, so older manifests of it never come back.
				catalog.setRecords(pointId, [catalog.objectId(record.hash).id], ObjectKind.Manifest);
				continue;
			}

			const {head} = record;
			const point = head.point;
			const item = itemNames.get(point.itemId);
			if (item === undefined) continue; // Its item was removed (or the state naming it is lost): the point goes with it.
			const problems: string[] = [];
			catalog.insertPoint(point);
			created.set(point.id, point);
			points++;
			const recordIds = [];
			let missingObjects = 0;
			let missingParts = 0;
			let step = 0;
			for (const partHash of head.parts) {
				const hash = Buffer.from(partHash, 'hex');
				const place = catalog.place(hash);
				const bytes = place && readRecord(packsDir, place, hash);
				const decoded = bytes && decodeRecord(bytes);
				if (!place || !decoded || (decoded.tag !== 'block' && decoded.tag !== 'recipe')) {
					missingParts++;
					continue;
				}

				recordIds.push(place.id);
				if (decoded.tag === 'block') {
					for (const entry of decoded.entries) {
						if (!entry.hash) {
							catalog.addEntry(point.id, entry.diskId, entry.blockIndex, null);
							continue;
						}

						const object = catalog.objectId(entry.hash);
						if (!object.found) missingObjects++;
						catalog.addEntry(point.id, entry.diskId, entry.blockIndex, object.id);
						if (entry.charged && object.found) catalog.chargeTo(object.id, point.id);
					}
				} else {
					for (const each of decoded.steps) {
						const object = catalog.objectId(each.hash);
						if (!object.found) missingObjects++;
						catalog.addStep(point.id, step++, object.id);
						if (each.charged && object.found) catalog.chargeTo(object.id, point.id);
					}
				}
			}

			recordIds.push(catalog.objectId(record.hash).id);
			catalog.setRecords(point.id, recordIds, ObjectKind.Manifest);
			if (missingParts > 0) problems.push(`${missingParts} part(s) of its manifest are in no readable pack: its block map is incomplete`);
			if (missingObjects > 0) problems.push(`${missingObjects} object(s) it needs are in no readable pack`);
			if (point.baseId !== null && (broken.has(point.baseId) || !created.has(point.baseId))) {
				problems.push(broken.has(point.baseId) ? `its base ${formatRecoveryPointId(point.baseId)} is broken` : `its base ${formatRecoveryPointId(point.baseId)} is missing`);
			}

			if (problems.length > 0) {
				broken.add(point.id);
				brokenPoints.push({item, id: point.id, problem: problems.join('; ')});
			}
		}

		// Records found in the packs that are current nowhere (superseded) are dead space, as the catalog had them.
		catalog.forgetStaleRecords(records.map(entry => entry.hash));
		catalog.refreshAggregates();
		// New records continue the sequence; the commit count continues what the side file recorded.
		catalog.putSetting('record-seq', String(maxSeq));
		const commits = recordedCommits(join(repoPath, commitsFileName)) + 1;
		catalog.putSetting('commits', String(commits));
		const objects = catalog.objectCount();
		catalog.finish();
		return {
			summary: {packs, objects, items: state?.record.items.length ?? 0, policies: state?.record.policies.length ?? 0, points, damagedPacks, brokenPoints},
			commits,
		};
	} finally {
		catalog.close();
	}
}

/** Where the catalog and the packs disagree (verify): what a rebuild would get wrong or miss. */
export type PackAgreement = {
	/** A pack the catalog names whose index cannot be read, or an object the catalog places where the index lists another. */
	problems: Array<{pack: string; problem: string}>;
	/** Objects the packs' indexes list that the catalog does not name: dead bytes gc reclaims, not damage. */
	unreferenced: number;
};

/** Checks every pack the catalog names against its own index, pack by pack (one pack's objects in memory at a time). */
export function checkPackAgreement(repo: Repository): PackAgreement {
	const problems: PackAgreement['problems'] = [];
	let unreferenced = 0;
	for (const pack of catalogPacks(repo)) {
		const objects = objectsInPack(repo, pack.id);
		// A pack row no object lives in any more (its objects were repaired elsewhere) awaits gc: nothing needs its file.
		if (objects.length === 0) continue;
		const index = readPackIndex(packPath(repo.packsDir, pack.name));
		if ('problem' in index) {
			problems.push({pack: pack.name, problem: index.problem});
			continue;
		}

		let mismatched = 0;
		let first = '';
		for (const object of objects) {
			const entry = entryAt(index.entries, object.offset);
			const why =
				entry === undefined
					? 'not in the index at that offset'
					: !entry.hash.equals(object.hash)
						? 'another hash in the index'
						: entry.storedLength !== object.storedLength || entry.rawLength !== object.rawLength || entry.codec !== object.codec
							? 'other lengths or codec in the index'
							: '';
			if (why === '') continue;
			mismatched++;
			first ||= `object ${object.hash.toString('hex').slice(0, 12)} at offset ${object.offset}: ${why}`;
		}

		if (mismatched > 0) problems.push({pack: pack.name, problem: `${mismatched} object(s) disagree with the pack's index (first: ${first})`});
		unreferenced += index.entries.length - (objects.length - mismatched);
	}

	return {problems, unreferenced};
}
