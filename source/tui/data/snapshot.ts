/**
 * What the console shows, read from the catalog in one go: items, policies, jobs, cost and churn, and for the view
 * that is open, the item's recovery points (with what expiring each frees) or the job's record. Components only
 * render it: no catalog query and no file-system call happens while rendering. Pure over a repository and an
 * instant, so tests render the same frame every time.
 */
import {costReport, type CostReport, freesBytes, getJob, type Item, type Job, listItems, listJobs, listPoints, listPolicies, monthlyCost, nextRunOf, type Policy, reapDeadJobs, type RecoveryPoint, recentChurn, type Repository} from '../../engine/index.js';

export type ItemRow = {item: Item; storedBytes: number; monthlyCost: number; points: number; lastChurn: number | undefined; churnSeries: number[]; diskChurn: Array<{disk: string; churn: number}>};
export type PolicyRow = {policy: Policy; nextRun: string | undefined};
/** A recovery point with the figures its row shows. */
export type PointRow = RecoveryPoint & {monthlyCost: number; freesBytes: number};

/** The view whose data the snapshot also reads: an item's points, or one job. */
export type OpenView = {pointsOf?: string | undefined; jobId?: number | undefined};

export type Snapshot = {
	repositoryPath: string;
	now: Date;
	items: ItemRow[];
	policies: PolicyRow[];
	jobs: Job[];
	cost: CostReport;
	/** The points of the item whose points view is open, oldest first. */
	points: {item: string; rows: PointRow[]} | undefined;
	/** The job whose record is open; null when it is gone. */
	job: {id: number; job: Job | null} | undefined;
};

const sparklinePoints = 12;
const shownJobs = 30;

/** Reads everything the dashboard shows, and the open view's data. */
export function loadSnapshot(repo: Repository, now: Date, repositoryPath = repo.path, open: OpenView = {}): Snapshot {
	reapDeadJobs(repo);
	const cost = costReport(repo);
	const churn = recentChurn(repo, sparklinePoints);
	const items = listItems(repo).map(item => {
		const itemCost = cost.items.find(row => row.item === item.name);
		const recent = churn.get(item.id) ?? [];
		const last = recent.at(-1);
		return {
			item,
			storedBytes: itemCost?.storedBytes ?? 0,
			monthlyCost: itemCost?.monthlyCost ?? 0,
			points: itemCost?.points ?? 0,
			lastChurn: last?.churn,
			// A point of unknown churn (a dump point from before Strata recorded it) is left out, not drawn as 0.
			churnSeries: recent.flatMap(point => (point.churn === undefined ? [] : [point.churn])),
			diskChurn: last?.disks.map(disk => ({disk: disk.disk, churn: disk.churn})) ?? [],
		};
	});
	const policies = listPolicies(repo).map(policy => ({policy, nextRun: nextRunOf(policy, now)?.toISOString()}));
	return {repositoryPath, now, items, policies, jobs: listJobs(repo, shownJobs), cost, ...loadOpenView(repo, open, cost)};
}

/** Only the open view's part of a snapshot: what a key that opens a view reads at once, the rest being fresh. */
export function loadOpenView(repo: Repository, open: OpenView, cost: CostReport): Pick<Snapshot, 'points' | 'job'> {
	return {
		points: open.pointsOf === undefined ? undefined : {item: open.pointsOf, rows: pointRows(repo, open.pointsOf, cost)},
		job: open.jobId === undefined ? undefined : {id: open.jobId, job: getJob(repo, open.jobId) ?? null},
	};
}

function pointRows(repo: Repository, item: string, cost: CostReport): PointRow[] {
	// An item removed while its points are open (by another process) has none to show.
	if (!listItems(repo).some(row => row.name === item)) return [];
	return listPoints(repo, item).map(point => ({...point, monthlyCost: monthlyCost(point.storedBytes, cost.price), freesBytes: freesBytes(repo, point.id)}));
}
