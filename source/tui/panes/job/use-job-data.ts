/** The job view's lines: a job's full record, including its error, wrapped to the view's width. */
import {useMemo} from 'react';
import {printable} from '../../../engine/index.js';
import type {PaneLine} from '../../components/pane.js';
import type {Snapshot} from '../../data/snapshot.js';
import {shortTime} from '../../format.js';

/** The record of the snapshot's open job, wrapped to `width`. */
export function jobDetail(snapshot: Snapshot, jobId: number, width: number): PaneLine[] {
	const open = snapshot.job?.id === jobId ? snapshot.job.job : undefined;
	const lines = open
		? [`#${open.id} ${open.kind} of ${open.item ?? '-'} (${open.trigger}): ${open.status}`, `started ${shortTime(open.startedAt)}, ended ${shortTime(open.endedAt)}`, ...(open.error ? ['', `Error: ${open.error}`] : [])]
		: open === null
			? ['This job is gone.']
			: [];
	// Escaped before wrapping, so a wrapped escape sequence cannot slip through in pieces.
	const wrapped = lines.map(line => printable(line)).flatMap(line => (line.length <= width - 4 ? [line] : line.match(new RegExp(`.{1,${Math.max(10, width - 4)}}`, 'g')) ?? [line]));
	return wrapped.map(text => ({text}));
}

/** What the job view shows. */
export function useJobData(snapshot: Snapshot, jobId: number, width: number): PaneLine[] {
	return useMemo(() => jobDetail(snapshot, jobId, width), [snapshot, jobId, width]);
}
