/** The Policies pane's rows: name, schedule, retention, items, next run. */
import {useMemo} from 'react';
import type {PaneLine} from '../../components/pane.js';
import type {Snapshot} from '../../data/snapshot.js';
import {shortTime} from '../../format.js';
import {matching} from '../matching.js';

/** The pane's lines for a snapshot and filter, at a pane width. */
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

/** What the Policies pane shows: its lines and how many policies can be selected. */
export function usePoliciesData(snapshot: Snapshot, filter: string, width: number): {lines: PaneLine[]; size: number} {
	return useMemo(() => ({lines: policyLines(snapshot, filter, width), size: matching(snapshot.policies, row => row.policy.name, filter).length}), [snapshot, filter, width]);
}
