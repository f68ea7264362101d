/** The lines of each dashboard pane, from a snapshot: pure, so frames are easy to test. */
import type {Job} from '../../engine/index.js';
import type {Snapshot} from '../data/snapshot.js';
import {bar, duration, money, shortBytes, shortTime, sparkline} from '../format.js';
import type {PaneLine} from '../components/pane.js';

const percent = (share: number | undefined) => (share === undefined ? '   -' : `${(share * 100).toFixed(1)}%`.padStart(6));

/** Filters rows by a case-insensitive substring of their name. */
export function matching<T>(rows: readonly T[], name: (row: T) => string, filter: string): T[] {
	const needle = filter.toLowerCase();
	return needle === '' ? [...rows] : rows.filter(row => name(row).toLowerCase().includes(needle));
}

/** Policies: name, schedule, retention, items, next run. */
export function policyLines(snapshot: Snapshot, filter: string, width = 80): PaneLine[] {
	const rows = matching(snapshot.policies, row => row.policy.name, filter);
	if (rows.length === 0) return [{text: filter ? 'No policy matches.' : 'No policies yet.', muted: true}];
	return rows.map(({policy, nextRun}) => {
		const {daily, weekly, monthly, yearly} = policy.retention;
		const retention = [daily && `${daily}d`, weekly && `${weekly}w`, monthly && `${monthly}m`, yearly && `${yearly}y`].filter(Boolean).join(' ');
		if (width < 50) return {text: `${policy.name.padEnd(8)} ${policy.schedule.padEnd(12)} ${retention.padEnd(6)} ${policy.itemCount}i ${shortTime(nextRun).slice(11)}`};
		return {text: `${policy.name.padEnd(10)} ${policy.schedule.padEnd(13)} ${retention.padEnd(9)} ${String(policy.itemCount).padStart(2)} items  next ${shortTime(nextRun).slice(5)}`};
	});
}

function jobLine(job: Job, unicode: boolean, width: number): PaneLine {
	const narrow = width < 50;
	const what = `#${job.id} ${job.kind} ${job.item ?? ''}`.padEnd(narrow ? 14 : 18);
	if (job.status === 'running') {
		const progress = job.progress;
		const share = progress && progress.totalBytes > 0 ? progress.doneBytes / progress.totalBytes : 0;
		const rate = progress?.bytesPerSecond ? `${(progress.bytesPerSecond / 1024 / 1024).toFixed(0)}MiB/s` : '';
		const eta = progress?.etaSeconds === undefined ? '' : `ETA ${duration(progress.etaSeconds * 1000)}`;
		return {text: `${what} ${bar(share, narrow ? 6 : 10, unicode)} ${(share * 100).toFixed(0).padStart(3)}% ${rate} ${eta}`};
	}

	const took = job.endedAt ? duration(Date.parse(job.endedAt) - Date.parse(job.startedAt)) : '';
	const status = narrow ? (job.status === 'succeeded' ? 'ok' : job.status) : job.status;
	return {text: `${what} ${status.padEnd(narrow ? 6 : 9)} ${took.padEnd(5)} ${shortTime(job.startedAt).slice(narrow ? 11 : 5)}`, error: job.status === 'failed'};
}

/** Jobs: running ones first with progress, then the last finished. */
export function jobLines(snapshot: Snapshot, filter: string, unicode: boolean, width = 80): PaneLine[] {
	const jobs = matching(snapshot.jobs, job => job.item ?? job.kind, filter);
	if (jobs.length === 0) return [{text: filter ? 'No job matches.' : 'No jobs yet. b backs up an item.', muted: true}];
	const ordered = [...jobs.filter(job => job.status === 'running'), ...jobs.filter(job => job.status !== 'running')];
	return ordered.map(job => jobLine(job, unicode, width));
}

/** The jobs in the order jobLines shows them. */
export function orderedJobs(snapshot: Snapshot, filter: string): Job[] {
	const jobs = matching(snapshot.jobs, job => job.item ?? job.kind, filter);
	return [...jobs.filter(job => job.status === 'running'), ...jobs.filter(job => job.status !== 'running')];
}

/** Churn: last point's churn and a sparkline over recent points, per item; per disk when zoomed. */
export function churnLines(snapshot: Snapshot, filter: string, unicode: boolean, zoomed: boolean): PaneLine[] {
	const rows = matching(snapshot.items, row => row.item.name, filter);
	if (rows.length === 0) return [{text: filter ? 'No item matches.' : 'No items yet.', muted: true}];
	return rows.flatMap(row => [
		{text: `${row.item.name.padEnd(12)} ${percent(row.lastChurn)}  ${sparkline(row.churnSeries, unicode)}`},
		...(zoomed ? row.diskChurn.map(disk => ({text: `  ${disk.disk.padEnd(16)} ${percent(disk.churn)}`, muted: true})) : []),
	]);
}

/** Storage cost: stored bytes and money per item, then the repository total. */
export function costLines(snapshot: Snapshot, filter: string, width = 80): PaneLine[] {
	const rows = matching(snapshot.items, row => row.item.name, filter);
	if (rows.length === 0) return [{text: filter ? 'No item matches.' : 'Nothing stored yet.', muted: true}];
	const state = (row: (typeof rows)[number]) => (row.item.state === 'active' ? '' : row.item.state === 'stopped-retained' ? ' (stopped)' : ' (deleted)');
	const name = width < 50 ? 10 : 16;
	const line = (label: string, points: number, stored: number, cost: number) => `${label.padEnd(name)} ${String(points).padStart(4)} RPs ${shortBytes(stored).padStart(5)} ${money(cost, snapshot.cost.price).padStart(9)}`;
	return [
		...rows.map(row => ({text: line(row.item.name + state(row), row.points, row.storedBytes, row.monthlyCost)})),
		{text: line('total', snapshot.cost.total.points, snapshot.cost.total.storedBytes, snapshot.cost.total.monthlyCost), muted: true},
	];
}

/** One line each on how to start, shown while the repository has no item or no policy. */
export function gettingStarted(snapshot: Snapshot, strata = 'strata'): string[] {
	return [
		...(snapshot.items.length === 0 ? [`Add an item:  ${strata} item add NAME --volume PATH (or --postgres DBNAME)`] : []),
		...(snapshot.policies.length === 0 ? [`Add a policy: ${strata} policy add NAME --schedule daily@02:30 --retain-daily 7`] : []),
	];
}
