/** The Jobs pane's frame: running jobs first with progress, columns aligned, long names cut with a mark. */
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {JobsPane} from '../../../../source/tui/panes/jobs/jobs.js';
import {jobLines} from '../../../../source/tui/panes/jobs/use-jobs-data.js';
import {makeTheme} from '../../../../source/tui/theme.js';
import {flush} from '../../../helpers/ink.js';
import {job, snapshotWith} from '../snapshot-fixture.js';

const snapshot = snapshotWith({
	jobs: [
		job({id: 97, item: 'old-application-server', status: 'failed', endedAt: '2026-03-04T02:30:00.000Z'}),
		job({id: 96, item: 'files'}),
		job({id: 98, kind: 'verify', item: 'db01', status: 'running', endedAt: undefined, progress: {doneBytes: 30, totalBytes: 100, bytesPerSecond: 50 * 1024 * 1024, etaSeconds: 75}}),
		job({id: 100, kind: 'gc', item: undefined}),
	],
});

async function frame(unicode: boolean): Promise<string> {
	const theme = makeTheme({NO_COLOR: '1', LANG: unicode ? 'C.UTF-8' : 'C'});
	const ui = render(<JobsPane lines={jobLines(snapshot, '', unicode, 36, theme.ellipsis)} selected={0} width={40} height={7} focused={false} theme={theme} />);
	await flush();
	const shown = ui.lastFrame()!;
	ui.unmount();
	return shown;
}

describe('the Jobs pane', () => {
	it('lines its rows up at 40 columns, the running verify first with its time left, item names cut with …', async () => {
		expect(await frame(true)).toBe(
			[
				'╭──────────────────────────────────────╮',
				'│ 2 Jobs                               │',
				'│ #98  verify db01 █░░░  30% ETA 1m15s │',
				'│ #97  backup old… failed 0s  02:30    │',
				'│ #96  backup fil… ok     12s 02:30    │',
				'│ #100 gc          ok     12s 02:30    │',
				'╰──────────────────────────────────────╯',
			].join('\n'),
		);
	});

	it('marks cuts with ~ in ASCII only', async () => {
		const ascii = await frame(false);
		expect(ascii).toContain('#97  backup old~ failed');
		expect(ascii).toContain('#98  verify db01 #...  30% ETA 1m15s');
		expect(ascii).not.toContain('…');
	});
});
