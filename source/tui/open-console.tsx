/** Runs the console on an open repository (the CLI chose and opened it, creating the default one on first use). */
import {render} from 'ink';
import {now, type Repository} from '../engine/index.js';
import {Console} from './console.js';
import {makeTheme} from './theme.js';

export type OpenConsoleOptions = {
	repo: Repository;
	/** How the empty state's hints spell the command: `strata`, or `strata --repo PATH` for a repository named by path. */
	strataCommand: string;
	/** A line shown at first, e.g. that the default repository was just created. */
	notice: string | undefined;
};

/** Runs the console until the user quits, then closes the repository; returns the exit code. */
export async function openConsole({repo, strataCommand, notice}: OpenConsoleOptions): Promise<number> {
	try {
		const instance = render(<Console repo={repo} theme={makeTheme()} now={() => now()} strataCommand={strataCommand} notice={notice} />, {exitOnCtrlC: true});
		await instance.waitUntilExit();
		return 0;
	} finally {
		repo.close();
	}
}
