/** Opens the console on the chosen repository, creating the default one on first run. */
import {existsSync} from 'node:fs';
import {render} from 'ink';
import {now, Repository, resolveRepositoryPath} from '../engine/index.js';
import {Console} from './console.js';
import {makeTheme} from './theme.js';

/** Runs the console until the user quits; returns the exit code. */
export async function openConsole({repoFlag}: {repoFlag: string | undefined}): Promise<number> {
	const {path, isDefault} = resolveRepositoryPath(repoFlag);
	const repo = isDefault && !existsSync(path) ? Repository.init(path) : Repository.open(path);
	try {
		const instance = render(<Console repo={repo} theme={makeTheme()} now={() => now()} />, {exitOnCtrlC: true});
		await instance.waitUntilExit();
		return 0;
	} finally {
		repo.close();
	}
}
