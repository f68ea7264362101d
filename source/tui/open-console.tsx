/** Opens the console on the chosen repository, creating the default one on first run. */
import {existsSync} from 'node:fs';
import {render, Text, useApp, useInput} from 'ink';
import {useCallback, useEffect, useState} from 'react';
import {formatError, lostCommitsError, now, Repository, resolveRepositoryPath, toStrataError} from '../engine/index.js';
import {Console} from './console.js';
import {makeTheme, type Theme} from './theme.js';

type Opened = {repo: Repository; notice: string | undefined; generation: number} | {error: string; generation: number};

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
		return {repo, notice: [again, lost, readOnly].filter(Boolean).join(' ') || undefined, generation};
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

/** The console over a repository that is opened again when its catalog files are replaced underneath. */
function Reopening({path, theme}: {path: string; theme: Theme}) {
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
	return <Console key={opened.generation} repo={opened.repo} theme={theme} now={() => now()} onCatalogReplaced={reopen} notice={opened.notice} />;
}

/** Runs the console until the user quits; returns the exit code. */
export async function openConsole({repoFlag}: {repoFlag: string | undefined}): Promise<number> {
	const {path, isDefault} = resolveRepositoryPath(repoFlag);
	// Opened once as a writer (when it may) to create or upgrade the catalog; the console itself only reads.
	(isDefault && !existsSync(path) ? Repository.init(path) : Repository.open(path)).close();
	const instance = render(<Reopening path={path} theme={makeTheme()} />, {exitOnCtrlC: true});
	await instance.waitUntilExit();
	return 0;
}
