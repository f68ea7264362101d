#!/usr/bin/env node
// `npm run demo`: builds a demo repository with a month of simulated history (several volume items, one with four
// disks and churn spread over them, policies with different retention, a failed job), then opens the console on it.
// The repository lives in the system's temp folder and is rebuilt on every run. `--no-console` only builds it.
import {spawnSync} from 'node:child_process';
import {closeSync, mkdirSync, openSync, rmSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {prng, writeVolume} from './lib/volume-data.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'cli', 'main.js');
const home = join(tmpdir(), 'strata-demo');
const repo = join(home, 'repo');
const disks = join(home, 'disks');
const day = n => new Date(Date.UTC(2026, 2, 1, 2, 30) + n * 86_400_000).toISOString();

function strata(args, now, allowFailure = false) {
	const result = spawnSync('node', [cli, '--repo', repo, ...args], {env: {...process.env, STRATA_NOW: now}, encoding: 'utf8'});
	if (result.status !== 0 && !allowFailure) throw new Error(`strata ${args.join(' ')}: ${result.stderr}`);
	return result.stdout;
}

/** Rewrites `count` random 16 KiB blocks of a disk. */
function churn(path, megabytes, count, next) {
	const block = Buffer.alloc(16 * 1024);
	const fd = openSync(path, 'r+');
	for (let index = 0; index < count; index++) {
		block.fill(next() & 0xff);
		block.write(`changed ${next()}`, 0);
		writeSync(fd, block, 0, block.length, (next() % ((megabytes * 64) - 1)) * block.length);
	}

	closeSync(fd);
}

rmSync(home, {recursive: true, force: true});
mkdirSync(disks, {recursive: true});
process.stderr.write(`Building a demo repository with a month of history in ${repo} ...\n`);
// Sizes and price are chosen so that costs read as real amounts (tenths of a cent a month per item) while the
// build stays short: 160 MiB of disks at the price of replicated block storage (0.10 USD per GiB and month).
const volumes = {'web01.img': 32, 'db-os.img': 16, 'db-data1.img': 24, 'db-data2.img': 24, 'db-logs.img': 16, 'files.img': 32, 'old-app.img': 16};
const pricePerGibMonth = '0.10';
for (const [name, megabytes] of Object.entries(volumes)) writeVolume(join(disks, name), megabytes * 1024 * 1024, name.length);
strata(['init'], day(0));
strata(['config', 'set', 'price-per-gib-month', pricePerGibMonth, '--currency', 'USD'], day(0));
strata(['policy', 'add', 'nightly', '--schedule', 'daily@02:30', '--retain-daily', '7', '--retain-weekly', '4'], day(0));
strata(['policy', 'add', 'gold', '--schedule', 'daily@01:00', '--retain-daily', '14', '--retain-weekly', '8', '--retain-monthly', '12'], day(0));
strata(['policy', 'add', 'weekly', '--schedule', 'weekly@sun@03:00', '--retain-weekly', '8'], day(0));
strata(['item', 'add', 'web01', '--volume', join(disks, 'web01.img'), '--policy', 'nightly'], day(0));
strata(['item', 'add', 'db01', ...['db-os.img', 'db-data1.img', 'db-data2.img', 'db-logs.img'].flatMap(name => ['--volume', join(disks, name)]), '--policy', 'gold'], day(0));
strata(['item', 'add', 'files', '--volume', join(disks, 'files.img'), '--policy', 'weekly'], day(0));
strata(['item', 'add', 'old-app', '--volume', join(disks, 'old-app.img'), '--policy', 'nightly'], day(0));
const next = prng(42);
for (let n = 0; n < 30; n++) {
	churn(join(disks, 'web01.img'), volumes['web01.img'], 40 + (next() % 40), next);
	// db01's churn sits mostly on its data and log disks.
	churn(join(disks, 'db-data1.img'), volumes['db-data1.img'], 60 + (next() % 60), next);
	churn(join(disks, 'db-data2.img'), volumes['db-data2.img'], 20 + (next() % 20), next);
	churn(join(disks, 'db-logs.img'), volumes['db-logs.img'], 120, next);
	churn(join(disks, 'files.img'), volumes['files.img'], 10, next);
	if (n === 20) rmSync(join(disks, 'old-app.img'));
	strata(['run', '--once'], day(n), true);
	if (n === 12) strata(['backup', 'web01', '--retain-days', '30'], day(n).replace('02:30', '15:00'));
}

process.stderr.write('Done. old-app lost its disk on day 21: its backups fail from then on.\n');
if (!process.argv.includes('--no-console')) {
	const console = spawnSync('node', [cli, '--repo', repo], {stdio: 'inherit', env: {...process.env, STRATA_NOW: day(30).replace('02:30', '09:00')}});
	process.exitCode = console.status ?? 0;
} else {
	process.stdout.write(`${repo}\n`);
}

