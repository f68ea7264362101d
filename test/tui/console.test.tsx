/** The console, rendered with ink-testing-library from a real repository and driven with named keys. */
import {rmSync} from 'node:fs';
import {join} from 'node:path';
import {render} from 'ink-testing-library';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {addPolicy, addVolumeItem, Repository, runBackup, setItemPolicy, setSetting} from '../../source/engine/index.js';
import {Console} from '../../source/tui/console.js';
import {makeTheme} from '../../source/tui/theme.js';
import {expectGolden} from '../helpers/golden.js';
import {flush} from '../helpers/ink.js';
import {makeTempDir} from '../helpers/tmp.js';
import {makeDisk, writeBlock} from '../helpers/volume.js';

const keys = {enter: '\r', escape: '\u001B', arrowDown: '\u001B[B', arrowRight: '\u001B[C'};
const theme = makeTheme({NO_COLOR: '1', LANG: 'C.UTF-8'});
const fixedNow = new Date('2026-03-10T09:00:00Z');
const shownPath = '/srv/strata';

let repo: Repository;
let empty: Repository;

/** A repository with two policies, two items (one with two disks) and four days of history, at fixed times. */
async function buildRepository(): Promise<Repository> {
	const dir = makeTempDir();
	const repository = Repository.init(join(dir, 'repo'));
	const at = (time: string) => (process.env['STRATA_NOW'] = time);
	at('2026-03-01T00:00:00Z');
	setSetting(repository, 'price-per-gib-month', '0.0224');
	addPolicy(repository, 'nightly', {schedule: 'daily@02:30', retention: {daily: 7, weekly: 4}});
	addPolicy(repository, 'weekly', {schedule: 'weekly@sun@03:00', retention: {weekly: 8}});
	const disks = ['web.img', 'db-os.img', 'db-data.img'].map(name => join(dir, name));
	for (const disk of disks) makeDisk(disk, 16);
	addVolumeItem(repository, {name: 'web01', volumes: [disks[0]!]});
	addVolumeItem(repository, {name: 'db01', volumes: [disks[1]!, disks[2]!]});
	setItemPolicy(repository, 'web01', 'nightly');
	setItemPolicy(repository, 'db01', 'nightly');
	for (let day = 1; day <= 4; day++) {
		at(`2026-03-0${day}T02:30:00Z`);
		for (let block = 0; block < day * 2; block++) writeBlock(disks[0]!, block, day * 10 + block);
		writeBlock(disks[2]!, day, day);
		await runBackup(repository, 'web01', {trigger: 'scheduled'});
		await runBackup(repository, 'db01', {trigger: 'scheduled'});
	}

	// An item whose disk vanished: its backup fails, and the console shows the error.
	at('2026-03-05T02:30:00Z');
	// A fixed path, so the error in the golden frame is the same on every run.
	const gone = '/tmp/strata-golden-gone.img';
	makeDisk(gone, 2);
	addVolumeItem(repository, {name: 'gone', volumes: [gone]});
	rmSync(gone);
	await runBackup(repository, 'gone', {trigger: 'scheduled'}).catch(() => undefined);
	delete process.env['STRATA_NOW'];
	return repository;
}

beforeAll(async () => {
	repo = await buildRepository();
	empty = Repository.init(join(makeTempDir(), 'empty'));
});

afterAll(() => {
	repo.close();
	empty.close();
});

function open(repository: Repository, size = {columns: 80, rows: 24}) {
	const tree = <Console repo={repository} theme={theme} now={() => fixedNow} repositoryPath={shownPath} size={size} unicode />;
	const ui = render(tree);
	// ink-testing-library's terminal is 100 columns wide; give it the size under test, then render again.
	Object.defineProperty(ui.stdout, 'columns', {get: () => size.columns});
	Object.defineProperty(ui.stdout, 'rows', {get: () => size.rows});
	ui.rerender(tree);
	return ui;
}

async function press(ui: ReturnType<typeof open>, ...sequence: string[]) {
	for (const key of sequence) {
		ui.stdin.write(key);
		await flush(30);
	}
}

describe('the console', () => {
	it('shows the dashboard at 80x24 and 120x40', async () => {
		const small = open(repo);
		await flush();
		expectGolden('dashboard-80x24', small.lastFrame());
		for (const title of ['Policies', 'Jobs', 'Churn', 'Storage cost', 'nightly', 'web01', 'db01']) expect(small.lastFrame()).toContain(title);
		small.unmount();
		const large = open(repo, {columns: 120, rows: 40});
		await flush();
		expectGolden('dashboard-120x40', large.lastFrame());
		large.unmount();
	});

	it('zooms each pane with Enter, opens the selected row with Enter again, and goes back with Esc', async () => {
		const ui = open(repo);
		await flush();
		for (const [pane, name] of [['1', 'policies'], ['2', 'jobs'], ['3', 'churn'], ['4', 'cost']] as const) {
			await press(ui, pane, keys.enter);
			expectGolden(`zoom-${name}`, ui.lastFrame());
			await press(ui, keys.escape);
		}

		// In the zoomed Jobs pane, Enter opens the selected job (the newest, which failed) with its error in full.
		await press(ui, '2', keys.enter, keys.enter);
		expectGolden('error-panel', ui.lastFrame());
		expect(ui.lastFrame()).toMatch(/Error: volume .*gone\.img of item "gone" does not exist/);
		// In the zoomed Storage cost pane, Enter opens the selected item's recovery points.
		await press(ui, keys.escape, keys.escape, '4', keys.enter, keys.arrowDown, keys.enter);
		expectGolden('cost-points', ui.lastFrame());
		expect(ui.lastFrame()).toContain('Recovery points of db01 (4)');
		ui.unmount();
	});

	it('shows help listing every key, the restore and backup dialogs, and a filter', async () => {
		const ui = open(repo);
		await flush();
		await press(ui, '?');
		expectGolden('help', ui.lastFrame());
		for (const word of ['restore', 'back up', 'filter', 'quit', 'verify']) expect(ui.lastFrame()).toContain(word);
		await press(ui, keys.escape, '4', keys.enter, keys.enter, keys.arrowDown, 'r', ...'/srv/restore/web01.img');
		expectGolden('restore-dialog', ui.lastFrame());
		await press(ui, keys.escape, 'b', keys.arrowRight, '1', '4', keys.enter);
		expectGolden('backup-dialog', ui.lastFrame());
		expect(ui.lastFrame()).toContain('[differential]');
		await press(ui, keys.escape, keys.escape, '3', '/', 'd', 'b');
		expect(ui.lastFrame()).toContain('db01');
		expect(ui.lastFrame()).not.toMatch(/web01 +100\.0%/);
		ui.unmount();
	});

	it('teaches how to add an item and a policy when the repository is empty, and says when the terminal is too small', async () => {
		const ui = open(empty);
		await flush();
		expectGolden('empty-state', ui.lastFrame());
		expect(ui.lastFrame()).toContain('strata item add NAME --volume PATH');
		expect(ui.lastFrame()).toContain('strata policy add NAME');
		ui.unmount();
		const tiny = open(empty, {columns: 40, rows: 10});
		await flush();
		expect(tiny.lastFrame()).toMatch(/^Terminal too small \(40x10\)/);
		tiny.unmount();
	});

	it('draws no raw control character from the catalog: a repository path and a disk path holding ESC are shown escaped', async () => {
		// Given a repository and a disk whose paths hold ESC [2J (clear screen), and a failed backup whose error names the disk.
		const dir = makeTempDir();
		const hostile = Repository.init(join(dir, 'repo\u001B[2J'));
		const disk = join(dir, 'disk\u001B[2J.img');
		makeDisk(disk, 1);
		addVolumeItem(hostile, {name: 'esc', volumes: [disk]});
		rmSync(disk);
		await runBackup(hostile, 'esc', {trigger: 'on-demand'}).catch(() => undefined);
		// When the console shows the dashboard, the job's error and a message naming the path...
		const tree = <Console repo={hostile} theme={theme} now={() => fixedNow} size={{columns: 120, rows: 24}} unicode notice={`Opened ${hostile.path}`} />;
		const ui = render(tree);
		Object.defineProperty(ui.stdout, 'columns', {get: () => 120});
		Object.defineProperty(ui.stdout, 'rows', {get: () => 24});
		ui.rerender(tree);
		await flush();
		const frames = [ui.lastFrame()!];
		await press(ui, '2', keys.enter, keys.enter);
		frames.push(ui.lastFrame()!);
		ui.unmount();
		hostile.close();
		// ...then every frame shows the escaped form and no ESC byte reaches the terminal.
		expect(frames[0]).toContain(`Strata  ${dir}/repo\\x1b[2J`);
		expect(frames[0]).toContain(`Opened ${dir}/repo\\x1b[2J`);
		expect(frames[1]).toContain('disk\\x1b[2J.img');
		for (const frame of frames) expect(frame).not.toContain('\u001B');
	});
});
