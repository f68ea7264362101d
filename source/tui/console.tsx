/** The console's root: header, the four panes (or a zoomed pane, an item's points, a job, help, a dialog) and a footer. */
import {Box, Text} from 'ink';
import {useEffect, useRef, useState} from 'react';
import {listPoints, printable, type Repository} from '../engine/index.js';
import {ErrorPanel} from './components/error-panel.js';
import {fitHeader} from './components/header.js';
import {BackupDialog} from './dialogs/backup/backup-dialog.js';
import {useBackupKeys} from './dialogs/backup/use-backup-keys.js';
import {Help} from './dialogs/help/help.js';
import {QuitQuestion} from './dialogs/quit/quit-question.js';
import {useQuitKeys} from './dialogs/quit/use-quit-keys.js';
import {RestoreDialog} from './dialogs/restore/restore-dialog.js';
import {useRestoreKeys} from './dialogs/restore/use-restore-keys.js';
import {footerKeys} from './footer.js';
import {ellipsisFor, money, shortBytes} from './format.js';
import {useConsoleState} from './hooks/use-console-state.js';
import type {PaneName, View} from './state/console-state.js';
import {useGlobalKeys} from './hooks/use-global-keys.js';
import {type KeyContext, useKeyboard} from './hooks/use-keys.js';
import {useSnapshot} from './hooks/use-snapshot.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {gettingStarted} from './getting-started.js';
import {ChurnPane} from './panes/churn/churn.js';
import {useChurnData} from './panes/churn/use-churn-data.js';
import {useChurnKeys} from './panes/churn/use-churn-keys.js';
import {CostPane} from './panes/cost/cost.js';
import {useCostData} from './panes/cost/use-cost-data.js';
import {useCostKeys} from './panes/cost/use-cost-keys.js';
import {JobPane} from './panes/job/job.js';
import {useJobData} from './panes/job/use-job-data.js';
import {JobsPane} from './panes/jobs/jobs.js';
import {useJobsData} from './panes/jobs/use-jobs-data.js';
import {useJobsKeys} from './panes/jobs/use-jobs-keys.js';
import {PointsPane} from './panes/points/points.js';
import {usePointsData} from './panes/points/use-points-data.js';
import {usePointsKeys} from './panes/points/use-points-keys.js';
import {PoliciesPane} from './panes/policies/policies.js';
import {usePoliciesData} from './panes/policies/use-policies-data.js';
import {usePoliciesKeys} from './panes/policies/use-policies-keys.js';
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

export function Console({repo, theme: baseTheme, now, repositoryPath = repo.path, size: fixedSize, unicode = supportsUnicode(), strataCommand = 'strata', notice, onCatalogReplaced, warning}: ConsoleProps) {
	const size = useTerminalSize(fixedSize);
	const theme = {...baseTheme, ellipsis: ellipsisFor(unicode)};
	const [state, dispatch, latest] = useConsoleState();
	const [refresh, setRefresh] = useState(0);
	const {view} = state;
	const pointsItem = view.kind === 'points' ? view.item : undefined;
	const jobId = view.kind === 'job' ? view.jobId : undefined;
	const [snapshot, readFor] = useSnapshot({repo, now, repositoryPath, refreshKey: refresh, open: {pointsOf: pointsItem, jobId}, onReplaced: onCatalogReplaced});
	useEffect(() => {
		if (state.message) setRefresh(value => value + 1);
	}, [state.message]);
	useEffect(() => {
		if (notice) dispatch({type: 'message', text: notice});
	}, [notice]);

	const hints = view.kind === 'dashboard' && !state.dialog ? gettingStarted(snapshot, strataCommand) : [];
	const bodyRows = size.rows - 2 - (state.message ? 1 : 0) - hints.length;
	const half = Math.floor(size.columns / 2);
	const topRows = Math.floor(bodyRows / 2);
	const zoomed = view.kind === 'zoom' ? view.pane : undefined;
	const paneWidth = zoomed ? size.columns : half;
	const filterOf = (pane: PaneName) => (state.focus === pane ? state.filter : '');
	const policies = usePoliciesData(snapshot, filterOf('policies'), paneWidth);
	const jobs = useJobsData(snapshot, filterOf('jobs'), unicode, paneWidth - 4, theme.ellipsis);
	const churn = useChurnData(snapshot, filterOf('churn'), unicode, zoomed === 'churn');
	const cost = useCostData(snapshot, filterOf('cost'), paneWidth);
	const points = usePointsData(snapshot, pointsItem ?? '', state.pointSelection, size.columns, bodyRows);
	const job = useJobData(snapshot, jobId ?? -1, size.columns);
	const owners: KeyContext['owners'] = useRef(new Map());
	const pointsOf = (item: string) => (snapshot.points?.item === item ? snapshot.points.rows : listPoints(repo, item));
	const open = (next: View) => {
		if (next.kind === 'points' || next.kind === 'job') readFor(next.kind === 'points' ? {pointsOf: next.item} : {jobId: next.jobId});
		dispatch({type: 'open', view: next});
	};
	const keys: KeyContext = {latest, dispatch, snapshot, repositoryPath: repo.path, owners, pointsOf, open};
	useKeyboard(keys);
	useGlobalKeys(keys);
	usePoliciesKeys(keys, policies.size);
	useJobsKeys(keys, jobs.jobs);
	useChurnKeys(keys, churn.items);
	useCostKeys(keys, cost.items);
	usePointsKeys(keys);
	useRestoreKeys(keys);
	useBackupKeys(keys);
	useQuitKeys(keys);

	if (size.columns < minimumSize.columns || size.rows < minimumSize.rows) {
		return <Text>Terminal too small ({size.columns}x{size.rows}); Strata needs at least {minimumSize.columns}x{minimumSize.rows}. q quits.</Text>;
	}

	const {cost: report} = snapshot;
	const header = fitHeader({path: repositoryPath, items: snapshot.items.length, stored: shortBytes(report.total.storedBytes), cost: money(report.total.monthlyCost, report.price), clock: snapshot.now}, size.columns, theme.ellipsis);
	const pane = (name: PaneName, width: number, height: number) => {
		const props = {width, height, focused: state.focus === name, selected: state.selection[name], theme};
		if (name === 'policies') return <PoliciesPane key={name} lines={policies.lines} {...props} />;
		if (name === 'jobs') return <JobsPane key={name} lines={jobs.lines} {...props} />;
		if (name === 'churn') return <ChurnPane key={name} lines={churn.lines} {...props} />;
		return <CostPane key={name} lines={cost.lines} {...props} />;
	};

	let body;
	if (view.kind === 'help') body = <Help width={size.columns} theme={theme} />;
	else if (view.kind === 'quit') body = <QuitQuestion running={state.launched.length} theme={theme} />;
	else if (view.kind === 'zoom') body = pane(view.pane, size.columns, bodyRows);
	else if (view.kind === 'points') body = <PointsPane item={view.item} count={points.points.length} lines={points.lines} price={report.price} width={size.columns} height={bodyRows} theme={theme} />;
	else if (view.kind === 'job') body = <JobPane lines={job} width={size.columns} height={bodyRows} theme={theme} />;
	else {
		body = (
			<Box flexDirection="column">
				<Box>
					{pane('policies', half, topRows)}
					{pane('jobs', size.columns - half, topRows)}
				</Box>
				<Box>
					{pane('churn', half, bodyRows - topRows)}
					{pane('cost', size.columns - half, bodyRows - topRows)}
				</Box>
			</Box>
		);
	}

	const {dialog} = state;
	const dialogItem = dialog ? snapshot.items.find(row => row.item.name === dialog.item)?.item : undefined;
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
			{dialog?.kind === 'restore' && dialogItem ? <RestoreDialog dialog={dialog} disks={dialogItem.kind === 'volume' ? dialogItem.disks.map(disk => disk.name) : []} width={size.columns} theme={theme} /> : null}
			{dialog?.kind === 'backup' ? <BackupDialog dialog={dialog} width={size.columns} theme={theme} /> : null}
			{dialog ? null : body}
			{state.message ? <ErrorPanel message={state.message} theme={{...theme, error: theme.ok}} /> : null}
			{warning && !state.message ? <ErrorPanel message={warning} theme={theme} /> : null}
			<Text color={theme.muted} wrap="truncate-end">
				{footerKeys(state)}
			</Text>
		</Box>
	);
}
