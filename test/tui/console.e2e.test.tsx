/**
 * The console as a person uses it: a keyboard-only restore through the dialog, the real binary in tmux at 80x24,
 * and a restore that outlives the console that started it.
 */
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {render} from 'ink-testing-library';
import {afterAll, describe, expect, it} from 'vitest';
import {addPolicy, addVolumeItem, listJobs, Repository, runBackup, setItemPolicy} from '../../source/engine/index.js';
import {Console} from '../../source/tui/console.js';
import {makeTheme} from '../../source/tui/theme.js';
import {cliEntry} from '../helpers/cli.js';
import {flush} from '../helpers/ink.js';
import {makeTempDir} from '../helpers/tmp.js';
import {capture, killAllSessions, killSession, sendKeys, tmux, waitForScreen} from '../helpers/tmux.js';
import {makeDisk, sha256File, writeBlock, writeRandomFile} from '../helpers/volume.js';

const keys = {enter: '\r', arrowDown: '\u001B[B'};
afterAll(killAllSessions);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
	for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
		const value = probe();
		if (value !== undefined && value !== false) return value;
	}

	throw new Error(`timed out waiting for ${what}`);
}

function lastRestore(repo: Repository) {
	return listJobs(repo).find(job => job.kind === 'restore' && job.status !== 'running');
}

async function repoWithHistory(diskBytes?: number) {
	const dir = makeTempDir();
	const repo = Repository.init(join(dir, 'repo'));
	const disk = join(dir, 'disk.img');
	if (diskBytes) writeRandomFile(disk, diskBytes);
	else makeDisk(disk, 8);
	addPolicy(repo, 'nightly', {schedule: 'daily@02:30', retention: {daily: 7}});
	addVolumeItem(repo, {name: 'vm1', volumes: [disk]});
	setItemPolicy(repo, 'vm1', 'nightly');
	const hashes: string[] = [];
	for (let step = 1; step <= 3; step++) {
		writeBlock(disk, step, step * 7);
		await runBackup(repo, 'vm1', {trigger: 'on-demand'});
		hashes.push(sha256File(disk));
	}

	return {dir, repo, hashes};
}

describe('the console, end to end', () => {
	it('restores RP 2 of 3 to a new path with the keyboard only', async () => {
		const {dir, repo, hashes} = await repoWithHistory();
		const target = join(dir, 'restored.img');
		const ui = render(<Console repo={repo} theme={makeTheme({NO_COLOR: '1'})} now={() => new Date('2026-03-10T09:00:00Z')} size={{columns: 100, rows: 30}} unicode={false} />);
		await flush();
		for (const key of ['4', keys.enter, keys.enter, keys.arrowDown, 'r', ...target, keys.enter, 'y']) {
			ui.stdin.write(key);
			await flush(20);
		}

		expect(ui.lastFrame()).toMatch(/Started a restore of vm1 rp2/);
		const job = await waitFor('the detached restore', () => lastRestore(repo));
		expect(job.status, job.error).toBe('succeeded');
		expect(sha256File(target)).toBe(hashes[1]);
		ui.unmount();
		repo.close();
	});

	it('runs in tmux at 80x24: four panes with the policy and item, help names restore, q exits 0', async () => {
		const {dir, repo} = await repoWithHistory();
		repo.close();
		const exitFile = join(dir, 'exit-status');
		const session = `strata-e2e-${process.pid}`;
		tmux(session, `node ${cliEntry} --repo ${join(dir, 'repo')}; echo $? > ${exitFile}; sleep 60`);
		const screen = await waitForScreen(session, /Storage cost/);
		for (const text of ['1 Policies', '2 Jobs', '3 Churn', '4 Storage cost', 'nightly', 'vm1']) expect(screen).toContain(text);
		sendKeys(session, '?');
		const help = await waitForScreen(session, /Keys/);
		expect(help).toMatch(/restore the selected recovery point/);
		sendKeys(session, 'q');
		const status = await waitFor('the exit status', () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined));
		expect(status).toBe('0');
		// The terminal is usable again: the shell after the console ran and wrote the file, and the screen is not in raw mode garbage.
		expect(capture(session)).not.toContain('4 Storage cost');
	});

	it('keeps a restore running after the console is killed, and shows its result when reopened', async () => {
		const {dir, repo, hashes} = await repoWithHistory(96 * 1024 * 1024);
		repo.close();
		const target = join(dir, 'survivor.img');
		const session = `strata-detach-${process.pid}`;
		tmux(session, `node ${cliEntry} --repo ${join(dir, 'repo')}`, {columns: 100, rows: 30});
		await waitForScreen(session, /Storage cost/);
		sendKeys(session, '4');
		sendKeys(session, 'Enter');
		sendKeys(session, 'Enter');
		await waitForScreen(session, /Recovery points of vm1/);
		sendKeys(session, 'j', 'r');
		await waitForScreen(session, /Restore rp2/);
		sendKeys(session, '-l', target);
		sendKeys(session, 'Enter');
		await waitForScreen(session, /Type y/);
		sendKeys(session, 'y');
		await waitForScreen(session, /Started a restore/);
		killSession(session);
		const reopened = Repository.open(join(dir, 'repo'));
		const job = await waitFor('the detached restore', () => lastRestore(reopened), 60_000);
		reopened.close();
		expect(job.status, job.error).toBe('succeeded');
		expect(sha256File(target)).toBe(hashes[1]);
		const again = `strata-reopen-${process.pid}`;
		tmux(again, `node ${cliEntry} --repo ${join(dir, 'repo')}`, {columns: 100, rows: 30});
		const screen = await waitForScreen(again, /restore vm1/);
		expect(screen).toMatch(/restore vm1 +succeeded/);
	});
});
