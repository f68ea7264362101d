/**
 * `strata upgrade` on a format-2 repository made by the release before format 3 (test/fixtures/format2-repo, with a
 * volume item and a PostgreSQL item): refused with a line naming the command until upgraded; then the same points,
 * every point restores byte-identically, verify --read-data passes, no format-2 pack is left, and the catalog can be
 * rebuilt from the packs. Killed at each of its steps and run again, it ends the same.
 */
import {cpSync, mkdirSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {cliEntry, runStrata} from '../helpers/cli.js';
import {packFiles} from '../helpers/repo-files.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {sha256File} from '../helpers/volume.js';

const fixture = fileURLToPath(new URL('../fixtures/format2-repo/', import.meta.url));
type Expected = {now: string; volume: Record<string, string>; dump: Record<string, string>; points: {vm: unknown[]; shop: unknown[]}};
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Expected;
const env = {STRATA_NOW: expected.now};

/** A copy of the fixture, with the empty folders git does not keep. */
function formatTwoRepo(): string {
	const repo = join(makeTempDir(), 'repo');
	cpSync(join(fixture, 'repo'), repo, {recursive: true});
	mkdirSync(join(repo, 'locks'));
	mkdirSync(join(repo, 'tmp'));
	return repo;
}

function packMagics(repo: string): string[] {
	return packFiles(repo).map(path => readFileSync(path).subarray(0, 8).toString('latin1'));
}

/** The points are those format 2 listed, and every one restores to what it held. */
async function expectUpgraded(repo: string): Promise<void> {
	const cli = strataFor(repo);
	expect(JSON.parse(await cli.run(['points', 'vm', '--json'], expected.now))).toEqual(expected.points.vm);
	expect(JSON.parse(await cli.run(['points', 'shop', '--json'], expected.now))).toEqual(expected.points.shop);
	const out = makeTempDir();
	for (const [id, hash] of Object.entries(expected.volume)) {
		await cli.run(['restore', 'vm', id, '--to', join(out, `vm${id}.img`)], expected.now);
		expect(sha256File(join(out, `vm${id}.img`)), `vm rp${id}`).toBe(hash);
	}

	for (const [id, hash] of Object.entries(expected.dump)) {
		await cli.run(['restore', 'shop', id, '--to-file', join(out, `shop${id}.dump`)], expected.now);
		expect(sha256File(join(out, `shop${id}.dump`)), `shop rp${id}`).toBe(hash);
	}

	expect(packMagics(repo).every(magic => magic === 'STRPACK3')).toBe(true);
	const verify = await runStrata(['--repo', repo, 'verify', '--read-data'], {env});
	expect(verify.exitCode, verify.stderr).toBe(0);
	expect((JSON.parse(readFileSync(join(repo, 'strata.json'), 'utf8')) as {format: number}).format).toBe(3);
}

describe('strata upgrade', () => {
	it('refuses a format-2 repository with a line naming the command, then upgrades it: same points, byte-identical restores', async () => {
		const repo = formatTwoRepo();
		const refused = await runStrata(['--repo', repo, 'points', 'vm'], {env});
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toBe(`strata: the repository at ${repo} has format 2, whose packs this Strata reads only to upgrade them. Run \`strata --repo ${repo} upgrade\` once (it rewrites the packs in format 3), then run this again.`);
		const upgraded = await runStrata(['--repo', repo, 'upgrade'], {env});
		expect(upgraded.exitCode, upgraded.stderr).toBe(0);
		expect(upgraded.stdout).toBe(`Upgraded ${repo} from format 2 to 3: 4 pack(s) rewritten, 12 object(s) moved, 4 recovery point(s) described`);
		await expectUpgraded(repo);
		// Again: nothing to do.
		const again = await runStrata(['--repo', repo, 'upgrade'], {env});
		expect(again.stdout).toBe(`${repo} is already format 3; nothing to upgrade`);
		// The upgraded repository describes itself: its catalog can be rebuilt from the packs.
		const policies = await strataFor(repo).run(['policy', 'list', '--json'], expected.now);
		for (const suffix of ['', '-wal', '-shm']) rmSync(join(repo, `catalog.db${suffix}`), {force: true});
		const rebuilt = await runStrata(['--repo', repo, 'catalog', 'rebuild'], {env});
		expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
		await expectUpgraded(repo);
		expect(await strataFor(repo).run(['policy', 'list', '--json'], expected.now)).toBe(policies);
		expect(JSON.parse(await strataFor(repo).run(['config', 'get', '--json'], expected.now))).toEqual({perGibMonth: 0.02, currency: 'EUR'});
	}, 120_000);

	it('killed at each of its steps and run again, ends upgraded; gc then leaves no file the catalog does not name', async () => {
		for (const step of ['pack-sealed', 'upgrade-pack-durable', 'upgrade-pack-committed', 'records-durable', 'upgrade-records-committed']) {
			const repo = formatTwoRepo();
			const killed = await execa('node', [cliEntry, '--repo', repo, 'upgrade'], {reject: false, env: {...env, STRATA_CRASH_AT: step}});
			expect(killed.signal, `${step}: ${killed.stderr}`).toBe('SIGKILL');
			expect((JSON.parse(readFileSync(join(repo, 'strata.json'), 'utf8')) as {format: number}).format, step).toBe(2);
			const again = await runStrata(['--repo', repo, 'upgrade'], {env});
			expect(again.exitCode, `${step}: ${again.stderr}`).toBe(0);
			// A killed run's old pack file stays until gc (pending under the dead process), like any killed writer's.
			const gc = await runStrata(['--repo', repo, 'gc'], {env});
			expect(gc.exitCode, `${step}: ${gc.stderr}`).toBe(0);
			await expectUpgraded(repo);
		}
	}, 300_000);
});
