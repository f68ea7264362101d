/**
 * A verify started from the console (the real binary in tmux) is a job: its row shows in the Jobs pane while it runs
 * or once it is done, with its result, and the row holds its progress and summary.
 */
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, expect, it} from 'vitest';
import {type Job, listJobs, Repository} from '../../source/engine/index.js';
import {cliEntry} from '../helpers/cli.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';
import {killAllSessions, sendKeys, tmux, waitForScreen} from '../helpers/tmux.js';
import {writeRandomFile} from '../helpers/volume.js';

afterAll(killAllSessions);

async function finishedVerify(path: string, timeoutMs = 60_000): Promise<Job> {
	for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(200)) {
		const repo = Repository.open(path, {readOnly: true});
		try {
			const job = listJobs(repo).find(row => row.kind === 'verify' && row.status !== 'running');
			if (job) return job;
		} finally {
			repo.close();
		}
	}

	throw new Error('the verify started from the console never finished');
}

it('v in the console starts a verify that shows in the Jobs pane with its result', async () => {
	const dir = makeTempDir();
	const repo = join(dir, 'repo');
	const cli = strataFor(repo);
	await cli.run(['init']);
	const disk = join(dir, 'disk.img');
	writeRandomFile(disk, 32 * 1024 * 1024);
	await cli.run(['item', 'add', 'vm1', '--volume', disk]);
	await cli.run(['backup', 'vm1']);

	const session = `strata-verify-${process.pid}`;
	tmux(session, `node ${cliEntry} --repo ${repo}`, {columns: 100, rows: 30});
	await waitForScreen(session, /Storage cost/);
	// The storage cost pane lists the items; v verifies the selected one, detached from the console.
	sendKeys(session, '4');
	sendKeys(session, 'v');
	await waitForScreen(session, /Started a verify of vm1/);
	await waitForScreen(session, /#\d+ verify vm1/);

	const job = await finishedVerify(repo);
	expect(job.status, job.error).toBe('succeeded');
	expect(job.item).toBe('vm1');
	expect(job.progress!.totalBytes).toBeGreaterThan(0);
	expect(job.progress!.doneBytes).toBe(job.progress!.totalBytes);
	expect(job.detail).toMatchObject({ok: true, readData: true, damaged: 0});
	expect(job.detail['checkedObjects']).toBeGreaterThan(0);
	// The pane shows the finished row with its result.
	await waitForScreen(session, /#\d+ verify vm1 +succeeded/);
});
