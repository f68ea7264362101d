/** Opens the console on the chosen repository, creating the default one on first run. */
import {existsSync} from 'node:fs';
import {render} from 'ink';
import {listItems, Repository, resolveRepositoryPath} from '../engine/index.js';
import {App} from './app.js';
import {makeTheme} from './theme.js';

export async function openConsole({repoFlag}: {repoFlag: string | undefined}): Promise<number> {
	const {path, isDefault} = resolveRepositoryPath(repoFlag);
	const repo = isDefault && !existsSync(path) ? Repository.init(path) : Repository.open(path);
	try {
		const items = listItems(repo);
		const {count} = repo.db.prepare('SELECT count(*) AS count FROM recovery_points').get() as {count: number};
		const instance = render(<App repositoryPath={repo.path} items={items} pointCount={count} theme={makeTheme()} />);
		await instance.waitUntilExit();
		return 0;
	} finally {
		repo.close();
	}
}
