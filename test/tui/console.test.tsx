import {join} from 'node:path';
import {writeFileSync} from 'node:fs';
import {useEffect} from 'react';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {addPostgresItem, addVolumeItem, listItems} from '../../source/engine/items.js';
import {Repository} from '../../source/engine/repository.js';
import {App} from '../../source/tui/app.js';
import {makeTheme} from '../../source/tui/theme.js';
import {expectGolden} from '../helpers/golden.js';
import {flush} from '../helpers/ink.js';
import {makeTempDir} from '../helpers/tmp.js';

const quitKey = 'q';
// Golden frames must not depend on where the test's temp folder is.
const shownPath = '/srv/strata';
const theme = makeTheme({NO_COLOR: '1', LANG: 'C.UTF-8'});

const repos: Repository[] = [];
afterEach(() => {
	for (const repo of repos.splice(0)) repo.close();
});

function makeRepository(): Repository {
	const repo = Repository.init(join(makeTempDir(), 'repo'));
	repos.push(repo);
	return repo;
}

/** The App as open-console.tsx renders it, from a real repository; calls onUnmount when Ink unmounts it. */
function Console({repo, onUnmount}: {repo: Repository; onUnmount?: () => void}) {
	useEffect(() => onUnmount, [onUnmount]);
	const {count} = repo.db.prepare('SELECT count(*) AS count FROM recovery_points').get() as {count: number};
	return <App repositoryPath={shownPath} items={listItems(repo)} pointCount={count} theme={theme} />;
}

describe('console', () => {
	it('shows the repository, its items and no recovery points yet, then quits on q', async () => {
		// Given a repository with a volume item and a PostgreSQL item, and no recovery points.
		const repo = makeRepository();
		const disk = join(repo.path, '..', 'disk.img');
		writeFileSync(disk, Buffer.alloc(4096));
		addVolumeItem(repo, {name: 'vm1', volumes: [disk]});
		addPostgresItem(repo, 'shop', {database: 'shop'});
		let unmounted = false;
		const ui = render(<Console repo={repo} onUnmount={() => (unmounted = true)} />);
		await flush();

		expectGolden('console-foundation', ui.lastFrame());

		// When q is pressed, the app exits through Ink (useApp().exit), which unmounts the tree.
		ui.stdin.write(quitKey);
		await flush();
		expect(unmounted).toBe(true);
	});

	it('does not quit on other keys', async () => {
		const repo = makeRepository();
		let unmounted = false;
		const ui = render(<Console repo={repo} onUnmount={() => (unmounted = true)} />);
		await flush();
		ui.stdin.write('x');
		await flush();
		expect(unmounted).toBe(false);
		ui.unmount();
		expect(unmounted).toBe(true);
	});

	it('teaches how to add an item when the repository is empty', async () => {
		const ui = render(<Console repo={makeRepository()} />);
		await flush();
		const frame = ui.lastFrame() ?? '';
		expect(frame).toContain('Items (0)');
		expect(frame).toContain('strata item add NAME --volume PATH');
		expect(frame).toContain('No recovery points yet.');
		ui.unmount();
	});
});
