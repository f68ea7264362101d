/**
 * What the console shows, read from the catalog in one go: items, policies, jobs, cost and churn. Pure over a
 * repository and an instant, so tests render the same frame every time.
 */
import {costReport, recentChurn, type CostReport, type Item, type Job, listItems, listJobs, listPolicies, nextRunOf, type Policy, reapDeadJobs, type Repository} from '../../engine/index.js';

export type ItemRow = {item: Item; storedBytes: number; monthlyCost: number; points: number; lastChurn: number | undefined; churnSeries: number[]; diskChurn: Array<{disk: string; churn: number}>};
export type PolicyRow = {policy: Policy; nextRun: string | undefined};

export type Snapshot = {
	repositoryPath: string;
	now: Date;
	items: ItemRow[];
	policies: PolicyRow[];
	jobs: Job[];
	cost: CostReport;
};

const sparklinePoints = 12;

/** Reads everything the dashboard shows. */
export function loadSnapshot(repo: Repository, now: Date, repositoryPath = repo.path): Snapshot {
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
	return {repositoryPath, now, items, policies, jobs: listJobs(repo, 30), cost};
}
