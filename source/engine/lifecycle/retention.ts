/**
 * Retention (pure): when each recovery point expires. A scheduled point is kept `daily` days; if it is the first
 * scheduled point of its ISO week it is kept `weekly` weeks, of its month `monthly` months, of its year `yearly`
 * years; the longest applicable retention wins. An on-demand point keeps its own `retainUntil` (none: kept until
 * removed). Weeks, months and years are read in the policy's time zone. Expiry is derived when read, so a policy
 * change applies to existing points too.
 */
import type {Retention, Trigger} from '../model/index.js';

export type RetentionPoint = {id: number; createdAt: string; trigger: Trigger; retainUntil: string | undefined};
export type RetentionPolicy = {retention: Retention; timezone: string};

const dayMs = 24 * 60 * 60 * 1000;

/** Calendar parts of an instant in a time zone. */
function localDate(instant: Date, timezone: string): {year: number; month: number; day: number} {
	const parts = new Intl.DateTimeFormat('en-CA', {timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit'}).formatToParts(instant);
	const get = (type: string) => Number(parts.find(part => part.type === type)?.value);
	return {year: get('year'), month: get('month'), day: get('day')};
}

/** ISO 8601 week of a calendar date: "2026-W01". */
export function isoWeekKey(year: number, month: number, day: number): string {
	const date = new Date(Date.UTC(year, month - 1, day));
	const weekday = (date.getUTCDay() + 6) % 7;
	date.setUTCDate(date.getUTCDate() - weekday + 3);
	const weekYear = date.getUTCFullYear();
	const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
	const week = 1 + Math.round((date.getTime() - firstThursday.getTime()) / (7 * dayMs) - ((firstThursday.getUTCDay() + 6) % 7 - 3) / 7);
	return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

function addMonths(instant: Date, months: number): Date {
	const result = new Date(instant);
	const day = result.getUTCDate();
	result.setUTCDate(1);
	result.setUTCMonth(result.getUTCMonth() + months);
	const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
	result.setUTCDate(Math.min(day, lastDay));
	return result;
}

/** Expiry of every point (undefined: never expires by retention). Points may come in any order. */
export function expiryTimes(points: readonly RetentionPoint[], policy: RetentionPolicy | undefined): Map<number, Date | undefined> {
	const result = new Map<number, Date | undefined>();
	const firsts = {week: new Map<string, number>(), month: new Map<string, number>(), year: new Map<string, number>()};
	const scheduled = points.filter(point => point.trigger === 'scheduled').sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
	for (const point of scheduled) {
		const {year, month, day} = localDate(new Date(point.createdAt), policy?.timezone ?? 'UTC');
		const keys = {week: isoWeekKey(year, month, day), month: `${year}-${month}`, year: String(year)};
		for (const unit of ['week', 'month', 'year'] as const) if (!firsts[unit].has(keys[unit])) firsts[unit].set(keys[unit], point.id);
	}

	const firstIds = {week: new Set(firsts.week.values()), month: new Set(firsts.month.values()), year: new Set(firsts.year.values())};
	const firstOf = (unit: 'week' | 'month' | 'year', id: number) => firstIds[unit].has(id);
	for (const point of points) {
		if (point.trigger === 'on-demand') {
			result.set(point.id, point.retainUntil ? new Date(point.retainUntil) : undefined);
			continue;
		}

		const retention = policy?.retention;
		if (!retention) {
			result.set(point.id, undefined);
			continue;
		}

		const created = new Date(point.createdAt);
		const candidates: Date[] = [];
		if (retention.daily) candidates.push(new Date(created.getTime() + retention.daily * dayMs));
		if (retention.weekly && firstOf('week', point.id)) candidates.push(new Date(created.getTime() + retention.weekly * 7 * dayMs));
		if (retention.monthly && firstOf('month', point.id)) candidates.push(addMonths(created, retention.monthly));
		if (retention.yearly && firstOf('year', point.id)) candidates.push(addMonths(created, retention.yearly * 12));
		// A scheduled point with no applicable retention (e.g. only weekly, not first of its week) is kept one day.
		result.set(point.id, candidates.length > 0 ? new Date(Math.max(...candidates.map(date => date.getTime()))) : new Date(created.getTime() + dayMs));
	}

	return result;
}
