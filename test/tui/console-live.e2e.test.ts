/** The console's reads during backups, expiries and gc: never a torn state, never a blocked writer. */
import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {Repository} from '../../source/engine/index.js';
import {loadSnapshot} from '../../source/tui/data/snapshot.js';
import {cliEntry} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {writeBlock, writeRandomFile} from '../helpers/volume.js';

describe('the console reading while writers work', () => {
	it('sees whole points only and consistent totals, and the writers finish unhindered', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		const disk = join(dir, 'disk.img');
		writeRandomFile(disk, 64 * 1024 * 1024);
		await cli.run(['item', 'add', 'vm', '--volume', disk]);
		await cli.run(['backup', 'vm', '--retain-days', '1'], '2026-01-01T00:00:00Z');
		for (let block = 0; block < 3000; block++) writeBlock(disk, block, block % 251);
		const script = [
			`node ${cliEntry} --repo ${repo} backup vm --type full --retain-days 30`,
			`STRATA_NOW=2026-01-05T00:00:00Z node ${cliEntry} --repo ${repo} expire`,
			`node ${cliEntry} --repo ${repo} gc`,
		].join(' && ');
		const started = Date.now();
		const writers = execa('sh', ['-c', `STRATA_NOW=2026-01-01T01:00:00Z ${script}`], {reject: false});
		const reader = Repository.open(repo);
		let reads = 0;
		let slowest = 0;
		try {
			while (writers.exitCode === null) {
				const before = Date.now();
				const snapshot = loadSnapshot(reader, new Date('2026-01-05T00:00:00Z'));
				slowest = Math.max(slowest, Date.now() - before);
				reads++;
				const item = snapshot.items[0]!;
				// Totals agree with the parts, and a visible point is always a whole one.
				expect(snapshot.cost.total.storedBytes).toBe(item.storedBytes);
				expect(item.points).toBeGreaterThanOrEqual(1);
				expect(item.points).toBeLessThanOrEqual(2);
				const owned = reader.db.prepare('SELECT p.id, p.owned_blocks AS owned, (SELECT count(*) FROM block_map b WHERE b.rp_id = p.id AND b.object_id IS NOT NULL) AS entries FROM recovery_points p').all() as Array<{owned: number; entries: number}>;
				for (const point of owned) expect(point.owned).toBe(point.entries);
				await new Promise(resolve => setTimeout(resolve, 10));
			}
		} finally {
			reader.close();
		}

		const result = await writers;
		expect(result.exitCode, result.stderr).toBe(0);
		expect(reads).toBeGreaterThan(5);
		expect(slowest).toBeLessThan(1000);
		expect(Date.now() - started).toBeLessThan(30_000);
		expect((await cli.points('vm')).map(point => point.type)).toEqual(['full']);
	});
});
