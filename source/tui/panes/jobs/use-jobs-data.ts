/** The Jobs pane's rows: running jobs first with progress, then the last finished, in aligned columns. */
import {useMemo} from 'react';
import type {Job} from '../../../engine/index.js';
import type {PaneLine} from '../../components/pane.js';
import type {Snapshot} from '../../data/snapshot.js';
import {bar, columns, duration, shortTime} from '../../format.js';
import {matching} from '../matching.js';

/** The jobs in the order the pane shows them: running ones first. */
export function orderedJobs(snapshot: Snapshot, filter: string): Job[] {
	const jobs = matching(snapshot.jobs, job => job.item ?? job.kind, filter);
	return [...jobs.filter(job => job.status === 'running'), ...jobs.filter(job => job.status !== 'running')];
}

function progressText(job: Job, narrow: boolean, unicode: boolean): string {
	const progress = job.progress;
	const share = progress && progress.totalBytes > 0 ? progress.doneBytes / progress.totalBytes : 0;
	// A narrow pane keeps the bar, the share and the time left; the rate shows when zoomed.
	const rate = progress?.bytesPerSecond && !narrow ? `${(progress.bytesPerSecond / 1024 / 1024).toFixed(0)}MiB/s` : '';
	const eta = progress?.etaSeconds === undefined ? '' : `ETA ${duration(progress.etaSeconds * 1000)}`;
	return [bar(share, narrow ? 4 : 10, unicode), `${(share * 100).toFixed(0).padStart(3)}%`, rate, eta].filter(Boolean).join(' ');
}

/** Status, duration and start of finished jobs, each padded to the widest of its column. */
function finishedTails(jobs: Job[], narrow: boolean): Map<Job, string> {
	const cells = jobs.map(job => [narrow && job.status === 'succeeded' ? 'ok' : job.status, job.endedAt ? duration(Date.parse(job.endedAt) - Date.parse(job.startedAt)) : '', shortTime(job.startedAt).slice(narrow ? 11 : 5)]);
	const widths = [0, 1].map(index => Math.max(0, ...cells.map(row => row[index]!.length)));
	return new Map(jobs.map((job, index) => [job, cells[index]!.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell)).join(' ')]));
}

/**
 * The pane's lines within `inner` columns. Number, kind and item line up across all rows; the item name is what
 * gets cut (marked with the ellipsis) when a row does not fit.
 */
export function jobLines(snapshot: Snapshot, filter: string, unicode: boolean, inner: number, ellipsis = '…'): PaneLine[] {
	const jobs = orderedJobs(snapshot, filter);
	if (jobs.length === 0) return [{text: filter ? 'No job matches.' : 'No jobs yet. b backs up an item.', muted: true}];
	const narrow = inner < 46;
	const tails = finishedTails(jobs.filter(job => job.status !== 'running'), narrow);
	const rows = jobs.map(job => [`#${job.id}`, job.kind, job.item ?? '', job.status === 'running' ? progressText(job, narrow, unicode) : tails.get(job)!]);
	const texts = columns(rows, [{}, {}, {shrinkTo: 4}], inner, ellipsis);
	return jobs.map((job, index) => ({text: texts[index]!, error: job.status === 'failed'}));
}

/** What the Jobs pane shows: its lines and the jobs behind them, in order. */
export function useJobsData(snapshot: Snapshot, filter: string, unicode: boolean, inner: number, ellipsis: string): {lines: PaneLine[]; jobs: Job[]} {
	return useMemo(() => ({lines: jobLines(snapshot, filter, unicode, inner, ellipsis), jobs: orderedJobs(snapshot, filter)}), [snapshot, filter, unicode, inner, ellipsis]);
}
