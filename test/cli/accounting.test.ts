/** Cost and churn: the seed's cost table, what expiries free, multi-disk churn, and the repository total vs. the packs. */
import Database from 'better-sqlite3';
import {execFileSync} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {blockSize, makeDisk, writeBlock, writeRandomFile} from '../helpers/volume.js';
import {packBytes} from '../helpers/repo-files.js';

type CostRow = {id: number; ownedBlocks: number; storedBytes: number; cumulativeOwnedBlocks: number; cumulativeStoredBytes: number; monthlyCost: number; freesBytes?: number};
type CostReport = {
	price: {perGibMonth: number; currency: string};
	items: Array<{item: string; storedBytes: number; rows?: CostRow[]}>;
	total: {storedBytes: number; monthlyCost: number};
	overhead?: {catalogBytes: number; unchargedPackBytes: number; otherBytes: number; bytes: number};
	repositoryBytes?: number;
};

async function fourBlocks() {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	const disk = join(dir, 'disk.img');
	makeDisk(disk, 4);
	await cli.run(['item', 'add', 'vm1', '--volume', disk]);
	writeBlock(disk, 1, 0x11);
	writeBlock(disk, 2, 0x22);
	await cli.run(['backup', 'vm1']);
	writeBlock(disk, 3, 0x33);
	await cli.run(['backup', 'vm1']);
	writeBlock(disk, 2, 0x44);
	writeBlock(disk, 3, 0x55);
	await cli.run(['backup', 'vm1']);
	return {dir, repo, cli};
}

/** The bytes of the packs of records (manifests and state: store/manifest.ts), which hold no object a point pays for. */
function recordPackBytes(repo: string): number {
	const db = new Database(join(repo, 'catalog.db'), {readonly: true});
	try {
		return db
			.prepare('SELECT coalesce(sum(p.size), 0) FROM packs p WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.pack_id = p.id AND o.charged_rp_id IS NOT NULL)')
			.pluck()
			.get() as number;
	} finally {
		db.close();
	}
}

describe('cost', () => {
	it('reproduces the seed table: RP1 = D1+D2, RP2 = D3, RP3 = D2\'+D3\', cumulative 2, 3, 5 blocks, with money', async () => {
		const {cli} = await fourBlocks();
		await cli.run(['config', 'set', 'price-per-gib-month', '0.0224', '--currency', 'USD']);
		const report = JSON.parse(await cli.run(['cost', 'vm1', '--json', '--frees'])) as CostReport;
		const rows = report.items[0]!.rows!;
		expect(rows.map(row => row.ownedBlocks)).toEqual([2, 1, 2]);
		expect(rows.map(row => row.cumulativeOwnedBlocks)).toEqual([2, 3, 5]);
		expect(rows.map(row => row.cumulativeStoredBytes)).toEqual([rows[0]!.storedBytes, rows[0]!.storedBytes + rows[1]!.storedBytes, report.items[0]!.storedBytes]);
		expect(rows[2]!.monthlyCost).toBeCloseTo((rows[2]!.storedBytes / 1024 ** 3) * 0.0224, 12);
		expect(report.price).toEqual({perGibMonth: 0.0224, currency: 'USD'});
		// Case 1 frees nothing (RP2 still needs D1 and D2); case 2 frees exactly D3 (RP3 overwrote it).
		expect(rows[0]!.freesBytes).toBe(0);
		expect(rows[1]!.freesBytes).toBe(rows[1]!.storedBytes);
		const text = await cli.run(['cost', 'vm1']);
		expect(text).toMatch(/per month at 0\.0224 USD\/GiB-month/);
	});

	it('adds up to the live bytes in the packs on disk, within pack overhead', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		for (const name of ['a', 'b']) {
			writeRandomFile(join(dir, `${name}.img`), 3 * 1024 * 1024);
			await cli.run(['item', 'add', name, '--volume', join(dir, `${name}.img`)]);
			await cli.run(['backup', name]);
		}

		writeBlock(join(dir, 'a.img'), 5, 0x01);
		await cli.run(['backup', 'a']);
		const report = JSON.parse(await cli.run(['cost', '--json'])) as CostReport;
		const objects = 2 * 192 + 1;
		expect(report.total.storedBytes).toBe(report.items.reduce((sum, item) => sum + item.storedBytes, 0));
		const overhead = packBytes(repo) - report.total.storedBytes;
		// Each pack: its 8-byte magic, a 42-byte index entry per object and a 56-byte trailer (three backups, a pack each);
		// and the packs of records (each point's manifest and the state, which make the catalog rebuildable), whole.
		expect(overhead).toBe(objects * 42 + 3 * (8 + 56) + recordPackBytes(repo));
	});

	it('counts the overhead (catalog, headers, unreferenced pack space) so the total matches du -sb within 2%', async () => {
		// Given a repository with three backups of a 4 MiB volume, two after overwrites. It is not tiny because the
		// catalog's -shm (32 KiB) exists only while a connection is open: cost counts it, du after cost has ended does not.
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		const disk = join(dir, 'disk.img');
		await cli.run(['init']);
		writeRandomFile(disk, 4 * 1024 * 1024);
		await cli.run(['item', 'add', 'vm1', '--volume', disk]);
		await cli.run(['backup', 'vm1']);
		for (const block of [3, 40]) {
			writeBlock(disk, block, block);
			writeBlock(disk, block + 1, block);
			await cli.run(['backup', 'vm1']);
		}

		// When cost is asked for the whole repository
		const report = JSON.parse(await cli.run(['cost', '--json'])) as CostReport;
		const du = Number(execFileSync('du', ['-sb', repo], {encoding: 'utf8'}).split('\t')[0]);
		// Then its total is the repository's size on disk, and the overhead has its own line
		expect(report.overhead!.bytes).toBeGreaterThan(0);
		expect(report.overhead!.catalogBytes).toBeGreaterThan(0);
		expect(report.overhead!.unchargedPackBytes).toBeGreaterThan(0);
		expect(report.repositoryBytes).toBe(report.total.storedBytes + report.overhead!.bytes);
		expect(Math.abs(report.repositoryBytes! - du) / du).toBeLessThan(0.02);
		const text = await cli.run(['cost']);
		expect(text).toMatch(/^Overhead: .*catalog .*headers and unreferenced pack space .*per month$/m);
		expect(text).toMatch(/^Repository: .* on disk \(.* stored in 3 recovery points, plus overhead\)/m);
	});
});

describe('churn', () => {
	it('shows churn per disk for an item whose changes sit on two of four disks', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		const disks = [0, 1, 2, 3].map(index => join(dir, `disk${index}.img`));
		for (const disk of disks) {
			makeDisk(disk, 16);
			for (let block = 0; block < 10; block++) writeBlock(disk, block, block + 1);
		}

		await cli.run(['item', 'add', 'vm', ...disks.flatMap(disk => ['--volume', disk])]);
		await cli.run(['backup', 'vm'], '2026-02-01T00:00:00Z');
		writeBlock(disks[1]!, 0, 0xaa);
		writeBlock(disks[3]!, 0, 0xbb);
		writeBlock(disks[3]!, 1, 0xcc);
		writeBlock(disks[3]!, 12, 0xdd);
		await cli.run(['backup', 'vm'], '2026-02-02T00:00:00Z');
		const report = JSON.parse(await cli.run(['churn', 'vm', '--json'], '2026-02-03T00:00:00Z')) as {
			points: Array<{changedBlocks: number; changedBytes: number; churn: number; disks: Array<{disk: string; changedBlocks: number; usedBytes: number; churn: number}>}>;
			averageDailyChurnBytes: {last7Days: number; last30Days: number};
		};
		const latest = report.points[1]!;
		expect(latest.changedBlocks).toBe(4);
		expect(latest.changedBytes).toBe(4 * blockSize);
		expect(latest.disks.map(disk => [disk.disk, disk.changedBlocks])).toEqual([['disk0.img', 0], ['disk1.img', 1], ['disk2.img', 0], ['disk3.img', 3]]);
		expect(latest.disks[3]!.usedBytes).toBe(11 * blockSize);
		expect(latest.disks[3]!.churn).toBeCloseTo(3 / 11, 10);
		expect(latest.churn).toBeCloseTo(4 / 41, 10);
		// Both points fall in the last 7 days: the full's 40 blocks and the incremental's 4.
		expect(report.averageDailyChurnBytes.last7Days).toBeCloseTo((44 * blockSize) / 7, 6);
		expect(report.averageDailyChurnBytes.last30Days).toBeCloseTo((44 * blockSize) / 30, 6);
	});
});
