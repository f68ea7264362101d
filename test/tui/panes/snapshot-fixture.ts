/** A snapshot built by hand, for pane tests that need no repository: panes render only what it holds. */
import type {Job} from '../../../source/engine/index.js';
import type {Snapshot} from '../../../source/tui/data/snapshot.js';

/** A job row with defaults; `overrides` sets what a test is about. */
export function job(overrides: Partial<Job> & Pick<Job, 'id'>): Job {
	return {item: 'web01', kind: 'backup', trigger: 'scheduled', status: 'succeeded', startedAt: '2026-03-04T02:30:00.000Z', endedAt: '2026-03-04T02:30:12.000Z', progress: undefined, error: undefined, pid: undefined, detail: {}, ...overrides};
}

/** An otherwise empty snapshot holding `parts`. */
export function snapshotWith(parts: Partial<Snapshot>): Snapshot {
	return {
		repositoryPath: '/srv/strata',
		now: new Date('2026-03-10T09:00:00Z'),
		items: [],
		policies: [],
		jobs: [],
		cost: {price: {perGibMonth: 0.1, currency: 'USD'}, items: [], total: {storedBytes: 0, logicalBytes: 0, monthlyCost: 0, points: 0}},
		points: undefined,
		job: undefined,
		...parts,
	};
}
