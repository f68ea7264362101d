/** The retention what-if and the storage price setting. */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runStrata} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {makeDisk, writeBlock} from '../helpers/volume.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const day = (n: number) => `2026-04-${String(n).padStart(2, '0')}T02:30:00Z`;

describe('policy simulate', () => {
	it('lists what shorter retention would expire, the bytes freed and the money saved, and changes nothing', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		await cli.run(['config', 'set', 'price-per-gib-month', '1024', '--currency', 'EUR']);
		await cli.run(['policy', 'add', 'daily', '--schedule', 'daily@02:00', '--retain-daily', '10']);
		const disk = join(dir, 'disk.img');
		makeDisk(disk, 8);
		await cli.run(['item', 'add', 'vm', '--volume', disk, '--policy', 'daily']);
		for (let n = 1; n <= 5; n++) {
			writeBlock(disk, 0, n * 17);
			await cli.run(['run', '--once'], day(n));
		}

		const catalog = join(repo, 'catalog.db');
		const before = sha256(catalog);
		const result = JSON.parse(await cli.run(['policy', 'simulate', 'daily', '--retain-daily', '2', '--json'], day(5))) as {
			expiring: Array<{id: number}>;
			freedBytes: number;
			monthlyCostChange: number;
			price: {currency: string};
		};
		// Days 1, 2 and 3 are older than two days; each one's block 0 was overwritten by the next point.
		expect(result.expiring.map(point => point.id)).toEqual([1, 2, 3]);
		const stored = (await cli.points('vm')).slice(0, 3).reduce((sum, point) => sum + point.storedBytes, 0);
		expect(result.freedBytes).toBe(stored);
		expect(result.monthlyCostChange).toBeCloseTo((-stored / 1024 ** 3) * 1024, 10);
		expect(result.price.currency).toBe('EUR');
		expect(sha256(catalog)).toBe(before);
		expect((await cli.points('vm')).map(point => point.id)).toEqual([1, 2, 3, 4, 5]);
		const text = await cli.run(['policy', 'simulate', 'daily', '--retain-daily', '2'], day(5));
		expect(text).toMatch(/3 recovery point\(s\) would expire now, freeing .* EUR\/month\. Nothing was changed\./);
	});

	it('refuses a bad price or currency in one line and keeps the old one', async () => {
		const dir = makeTempDir();
		const repo = join(dir, 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		await cli.run(['config', 'set', 'price-per-gib-month', '0.0224', '--currency', 'USD']);
		for (const args of [['price-per-gib-month', 'cheap'], ['price-per-gib-month', '-1'], ['currency', 'dollars'], ['colour', 'blue']]) {
			const result = await runStrata(['--repo', repo, 'config', 'set', ...args]);
			expect(result.exitCode).toBe(1);
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
		}

		expect(JSON.parse(await cli.run(['config', 'get', '--json']))).toEqual({perGibMonth: 0.0224, currency: 'USD'});
	});
});
