/** Runs the console on a repository the CLI chose (and created, for the default one on first use). */
import {render, Text, useApp, useInput} from 'ink';
import {useCallback, useEffect, useState} from 'react';
import {formatError, lostCommitsError, now, Repository, toStrataError} from '../engine/index.js';
import {Console} from './console.js';
import {makeTheme, type Theme} from './theme.js';

type Opened = {repo: Repository; warning: string | undefined; generation: number} | {error: string; generation: number};

/**
 * The console only reads, so it reads through a read-only connection: one that cannot checkpoint can never write an
 * older state of the catalog back (a read-write connection whose -wal was deleted under it did, on exit).
 */
function openReading(path: string, generation: number, reopened: boolean): Opened {
	try {
		const repo = Repository.open(path, {readOnly: true});
		const lost = repo.lostCommits ? formatError(lostCommitsError(repo.path, repo.lostCommits, 'trust it')).replace(/^cannot trust it: /, '') : undefined;
		const again = reopened ? 'The catalog files were replaced while the console was open (catalog.db-wal or -shm deleted?): it was read again.' : undefined;
		const readOnly = repo.readOnly && repo.readOnly.code !== 'REQUESTED' ? `The repository ${repo.readOnly.reason}: reading only, nothing is recorded; backups started here will fail.` : undefined;
		return {repo, warning: [again, lost, readOnly].filter(Boolean).join(' ') || undefined, generation};
	} catch (error) {
		return {error: formatError(toStrataError(error)), generation};
	}
}

function Unreadable({message, theme}: {message: string; theme: Theme}) {
	const {exit} = useApp();
	useInput(input => {
		if (input === 'q') exit();
	});
	return <Text color={theme.error}>{`The repository cannot be read: ${message}\nq quits.`}</Text>;
}

export type OpenConsoleOptions = {
	path: string;
	/** How the empty state's hints spell the command: `strata`, or `strata --repo PATH` for a repository named by path. */
	strataCommand: string;
	/** A line shown at first, e.g. that the default repository was just created. */
	notice: string | undefined;
};

/** The console over a repository that is opened again when its catalog files are replaced underneath. */
function Reopening({path, strataCommand, notice, theme}: OpenConsoleOptions & {theme: Theme}) {
	const [opened, setOpened] = useState<Opened>(() => openReading(path, 0, false));
	const reopen = useCallback(() => {
		setOpened(previous => {
			if ('repo' in previous) previous.repo.close();
			return openReading(path, previous.generation + 1, true);
		});
	}, [path]);
	useEffect(() => () => {
		if ('repo' in opened) opened.repo.close();
	}, [opened]);
	if ('error' in opened) return <Unreadable message={opened.error} theme={theme} />;
	return (
		<Console
			key={opened.generation}
			repo={opened.repo}
			theme={theme}
			now={() => now()}
			strataCommand={strataCommand}
			notice={opened.generation === 0 ? notice : undefined}
			onCatalogReplaced={reopen}
			warning={opened.warning}
		/>
	);
}

/** Runs the console until the user quits; returns the exit code. */
export async function openConsole(options: OpenConsoleOptions): Promise<number> {
	const instance = render(<Reopening {...options} theme={makeTheme()} />, {exitOnCtrlC: true});
	await instance.waitUntilExit();
	return 0;
}
