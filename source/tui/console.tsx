/** The console's root: header, the four panes (or a zoomed pane, an item's points, help, a dialog) and a footer. */
import {Box, Text, useStdout} from 'ink';
import {useEffect, useMemo, useState} from 'react';
import {getJob, printable, type Repository} from '../engine/index.js';
import {Pane} from './components/pane.js';
import {BackupDialog, Help, QuitQuestion, RestoreDialog} from './dialogs/dialogs.js';
import {money, shortBytes, shortTime} from './format.js';
import {useConsoleKeys} from './hooks/use-console-keys.js';
import {type ConsoleState, paneNames, useConsoleState} from './hooks/use-console-state.js';
import {useSnapshot} from './hooks/use-snapshot.js';
import {churnLines, costLines, gettingStarted, jobLines, policyLines} from './panes/dashboard-lines.js';
import {ErrorPanel, itemPoints, JobView, PointsView} from './panes/points-view.js';
import {supportsUnicode, type Theme} from './theme.js';

export const minimumSize = {columns: 60, rows: 16};

export type ConsoleProps = {
	repo: Repository;
	theme: Theme;
	now: () => Date;
	/** Shown in the header (tests pass a fixed one). */
	repositoryPath?: string;
	/** Fixed terminal size (tests); otherwise the terminal's, following resizes. */
	size?: {columns: number; rows: number};
	unicode?: boolean;
	/** How the empty state's hints spell the command: `strata` (the default) or `strata --repo PATH`. */
	strataCommand?: string;
	/** A line shown in the message area at first, e.g. that the default repository was just created. */
	notice?: string | undefined;
	/** Called when the catalog's files were replaced under the console: it must be opened again. */
	onCatalogReplaced?: () => void;
	/** A standing warning (the catalog was reopened, or lost commits, or is read-only), shown in the error panel. */
	warning?: string | undefined;
};

function useTerminalSize(fixed: ConsoleProps['size']): {columns: number; rows: number} {
	const {stdout} = useStdout();
	const read = () => fixed ?? {columns: stdout.columns || 80, rows: stdout.rows || 24};
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed) return;
		const onResize = () => setSize(read());
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed]);
	return size;
}

function footerKeys(state: ConsoleState): string {
	if (state.view.kind === 'quit') return 'y quit  n stay';
	if (state.dialog) return state.dialog.confirming ? 'y start  n back  Esc cancel' : 'Enter review  Esc cancel';
	if (state.filtering) return `filter: ${state.filter}_  Enter keep  Esc clear`;
	if (state.view.kind === 'points') return 'j/k move  r restore  b backup  v verify  Esc back  ? help  q quit';
	if (state.view.kind === 'help' || state.view.kind === 'job') return 'Esc back  q quit';
	const zoomed = state.view.kind === 'zoom';
	const enter = !zoomed ? 'Enter zoom' : state.focus === 1 ? 'Enter job' : state.focus >= 2 ? 'Enter points' : '';
	const item = state.focus >= 2 ? '  b backup  v verify' : '';
	return `${zoomed ? 'Esc back' : 'Tab/1-4 pane'}  j/k move  ${enter}  / filter${item}  ? help  q quit${state.filter ? `  [filter: ${state.filter}]` : ''}`.replace(/ {4,}/g, '  ');
}

export function Console({repo, theme, now, repositoryPath = repo.path, size: fixedSize, unicode = supportsUnicode(), strataCommand = 'strata', notice, onCatalogReplaced, warning}: ConsoleProps) {
	const size = useTerminalSize(fixedSize);
	const [state, dispatch, latest] = useConsoleState();
	const [refresh, setRefresh] = useState(0);
	const snapshot = useSnapshot(repo, now, repositoryPath, refresh, onCatalogReplaced);
	const pointsItem = state.view.kind === 'points' ? state.view.item : undefined;
	const points = useMemo(() => (pointsItem ? itemPoints(repo, pointsItem) : []), [repo, pointsItem, snapshot]);
	const pointsOf = (item: string) => (item === pointsItem ? points : itemPoints(repo, item));
	useConsoleKeys({state, dispatch, snapshot, pointsOf, repositoryPath: repo.path}, latest);
	useEffect(() => {
		if (state.message) setRefresh(value => value + 1);
	}, [state.message]);
	useEffect(() => {
		if (notice) dispatch({type: 'message', text: notice});
	}, [notice]);

	if (size.columns < minimumSize.columns || size.rows < minimumSize.rows) {
		return <Text>Terminal too small ({size.columns}x{size.rows}); Strata needs at least {minimumSize.columns}x{minimumSize.rows}. q quits.</Text>;
	}

	const {cost} = snapshot;
	const header = `Strata  ${printable(repositoryPath)}  ${snapshot.items.length} items  ${shortBytes(cost.total.storedBytes)} stored  ${money(cost.total.monthlyCost, cost.price)}/mo  ${shortTime(snapshot.now.toISOString())} UTC`;
	const hints = state.view.kind === 'dashboard' && !state.dialog ? gettingStarted(snapshot, strataCommand) : [];
	const bodyRows = size.rows - 2 - (state.message ? 1 : 0) - hints.length;
	const half = Math.floor(size.columns / 2);
	const topRows = Math.floor(bodyRows / 2);
	const paneWidth = state.view.kind === 'zoom' ? size.columns : half;
	const lines = [
		policyLines(snapshot, state.focus === 0 ? state.filter : '', paneWidth),
		jobLines(snapshot, state.focus === 1 ? state.filter : '', unicode, paneWidth),
		churnLines(snapshot, state.focus === 2 ? state.filter : '', unicode, state.view.kind === 'zoom' && state.view.pane === 2),
		costLines(snapshot, state.focus === 3 ? state.filter : '', paneWidth),
	];
	const mark = (pane: 0 | 1 | 2 | 3) => lines[pane]!.map((line, index) => ({...line, selected: state.focus === pane && index === state.selection[pane] && !line.muted}));
	const pane = (index: 0 | 1 | 2 | 3, width: number, height: number) => (
		<Pane key={index} title={`${index + 1} ${paneNames[index]}`} lines={mark(index)} width={width} height={height} focused={state.focus === index} theme={theme} />
	);
	let body;
	if (state.view.kind === 'help') body = <Help width={size.columns} theme={theme} />;
	else if (state.view.kind === 'quit') body = <QuitQuestion running={state.launched.length} theme={theme} />;
	else if (state.view.kind === 'zoom') body = pane(state.view.pane, size.columns, bodyRows);
	else if (state.view.kind === 'points') body = <PointsView repo={repo} item={state.view.item} points={points} selected={state.pointSelection} price={cost.price} width={size.columns} height={bodyRows} theme={theme} />;
	else if (state.view.kind === 'job') {
		const job = getJob(repo, state.view.jobId);
		const detail = job ? [`#${job.id} ${job.kind} of ${job.item ?? '-'} (${job.trigger}): ${job.status}`, `started ${shortTime(job.startedAt)}, ended ${shortTime(job.endedAt)}`, ...(job.error ? ['', `Error: ${job.error}`] : [])] : ['This job is gone.'];
		body = <JobView lines={detail} width={size.columns} height={bodyRows} theme={theme} />;
	} else {
		body = (
			<Box flexDirection="column">
				<Box>
					{pane(0, half, topRows)}
					{pane(1, size.columns - half, topRows)}
				</Box>
				<Box>
					{pane(2, half, bodyRows - topRows)}
					{pane(3, size.columns - half, bodyRows - topRows)}
				</Box>
			</Box>
		);
	}

	const dialogItem = state.dialog ? snapshot.items.find(row => row.item.name === state.dialog!.item)?.item : undefined;
	return (
		<Box flexDirection="column" width={size.columns}>
			<Text bold color={theme.accent} wrap="truncate-end">
				{header}
			</Text>
			{hints.map(hint => (
				<Text key={hint} wrap="truncate-end">
					{printable(hint)}
				</Text>
			))}
			{state.dialog?.kind === 'restore' && dialogItem ? <RestoreDialog dialog={state.dialog} item={dialogItem} width={size.columns} theme={theme} /> : null}
			{state.dialog?.kind === 'backup' ? <BackupDialog dialog={state.dialog} width={size.columns} theme={theme} /> : null}
			{state.dialog ? null : body}
			{state.message ? <ErrorPanel message={state.message} theme={{...theme, error: theme.ok}} /> : null}
			{warning && !state.message ? <ErrorPanel message={warning} theme={theme} /> : null}
			<Text color={theme.muted} wrap="truncate-end">
				{footerKeys(state)}
			</Text>
		</Box>
	);
}
