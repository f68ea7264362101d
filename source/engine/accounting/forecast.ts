/**
 * Forecast: stored bytes and money over the coming days, from the item's measured churn, its compression, and how
 * long its policy keeps points. Steady state: each day adds the daily churn (compressed) until points start to
 * expire, after which expiries free about as much as backups add.
 */
import {type CatalogHandle, getPrice, itemStorage, monthlyCost, type Price, requireItem, requirePolicy} from '../catalog/index.js';
import {now} from '../clock.js';
import type {Retention} from '../model/index.js';
import {churnReport} from './churn.js';

export type ForecastInput = {
	storedBytes: number;
	dailyChurnBytes: number;
	compression: number;
	retainedDays: number;
	historyDays: number;
};

export type ForecastPoint = {day: number; storedBytes: number; monthlyCost: number};
export type Forecast = {item: string; days: number; price: Price; input: ForecastInput; points: ForecastPoint[]; driver: string};

/** How many days of incrementals a retention keeps at steady state (the longest of its rules). */
export function retainedDays(retention: Retention | undefined): number {
	if (!retention) return 0;
	return Math.max(retention.daily ?? 0, (retention.weekly ?? 0) * 7, (retention.monthly ?? 0) * 30, (retention.yearly ?? 0) * 365);
}

/** Pure projection: stored bytes on each day from 0 to `days`, in `step`-day steps. */
export function project(input: ForecastInput, days: number, price: Price, step = 15): ForecastPoint[] {
	const dailyStored = input.dailyChurnBytes * input.compression;
	const points: ForecastPoint[] = [];
	for (let day = 0; day <= days; day += step) {
		// Growth continues only until the oldest kept point is `retainedDays` old; after that expiries balance it.
		const growthDays = Math.max(0, Math.min(day, input.retainedDays - input.historyDays));
		const storedBytes = input.storedBytes + growthDays * dailyStored;
		points.push({day, storedBytes, monthlyCost: monthlyCost(storedBytes, price)});
		if (day !== days && day + step > days) step = days - day;
	}

	return points;
}

/** Forecast for one item over `days`, from its last 30 days of churn and its policy's retention. */
export function forecastItem(repo: CatalogHandle, itemName: string, days: number, at: Date = now()): Forecast {
	const item = requireItem(repo, itemName);
	const churn = churnReport(repo, itemName, at);
	const stored = itemStorage(repo, item.id);
	const policy = item.policy ? requirePolicy(repo, item.policy) : undefined;
	const input: ForecastInput = {
		storedBytes: stored.stored,
		dailyChurnBytes: churn.averageDailyChurnBytes.last30Days,
		compression: stored.logical > 0 ? stored.stored / stored.logical : 1,
		retainedDays: policy ? retainedDays(policy.retention) : days,
		historyDays: stored.first ? Math.max(0, (at.getTime() - Date.parse(stored.first)) / 86_400_000) : 0,
	};
	const price = getPrice(repo);
	const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
	const driver = `daily churn of ${mib(input.dailyChurnBytes)} (average of the last 30 days) stored at ${(input.compression * 100).toFixed(0)}% after compression, kept ${Math.round(input.retainedDays)} days by ${policy ? `policy ${policy.name}` : 'no policy (nothing expires)'}`;
	return {item: item.name, days, price, input, points: project(input, days, price), driver};
}
