/** Retention rules (pure): daily, first-of-week/month/year, longest wins, time zones, on-demand. */
import {describe, expect, it} from 'vitest';
import {expiryTimes, type RetentionPoint} from '../../../source/engine/lifecycle/retention.js';

const retention = {daily: 7, weekly: 4, monthly: 12, yearly: undefined};
const day = (date: string, id: number, trigger: 'scheduled' | 'on-demand' = 'scheduled', retainUntil?: string): RetentionPoint => ({id, createdAt: `${date}T02:00:00.000Z`, trigger, retainUntil});

describe('expiryTimes', () => {
	it('keeps a scheduled point N days, the first of its ISO week N weeks and the first of its month N months', () => {
		// 2026-01-01 is a Thursday (ISO week 2026-W01 runs Mon 2025-12-29 to Sun 2026-01-04).
		const points = [day('2026-01-01', 1), day('2026-01-02', 2), day('2026-01-05', 3), day('2026-01-06', 4)];
		const expiries = expiryTimes(points, {retention, timezone: 'UTC'});
		expect(expiries.get(1)?.toISOString()).toBe('2027-01-01T02:00:00.000Z');
		expect(expiries.get(2)?.toISOString()).toBe('2026-01-09T02:00:00.000Z');
		expect(expiries.get(3)?.toISOString()).toBe('2026-02-02T02:00:00.000Z');
		expect(expiries.get(4)?.toISOString()).toBe('2026-01-13T02:00:00.000Z');
	});

	it('lets on-demand points keep their own retention, and never counts them as first of a week', () => {
		const points = [day('2026-01-05', 1, 'on-demand', '2026-01-15T00:00:00.000Z'), day('2026-01-06', 2), day('2026-01-07', 3, 'on-demand')];
		const expiries = expiryTimes(points, {retention, timezone: 'UTC'});
		expect(expiries.get(1)?.toISOString()).toBe('2026-01-15T00:00:00.000Z');
		// The first scheduled point of its week and of January: the monthly retention (12 months) is the longest.
		expect(expiries.get(2)?.toISOString()).toBe('2027-01-06T02:00:00.000Z');
		expect(expiries.get(3)).toBeUndefined();
	});

	it('reads weeks in the policy time zone', () => {
		// Sunday 23:30 UTC is already Monday in Tokyo: a new ISO week there.
		const points = [{id: 1, createdAt: '2026-01-04T10:00:00.000Z', trigger: 'scheduled' as const, retainUntil: undefined}, {id: 2, createdAt: '2026-01-04T23:30:00.000Z', trigger: 'scheduled' as const, retainUntil: undefined}];
		const utc = expiryTimes(points, {retention: {daily: 1, weekly: 2, monthly: undefined, yearly: undefined}, timezone: 'UTC'});
		const tokyo = expiryTimes(points, {retention: {daily: 1, weekly: 2, monthly: undefined, yearly: undefined}, timezone: 'Asia/Tokyo'});
		expect(utc.get(2)?.toISOString()).toBe('2026-01-05T23:30:00.000Z');
		expect(tokyo.get(2)?.toISOString()).toBe('2026-01-18T23:30:00.000Z');
	});

	it('adds calendar months and years, clamping to the month end', () => {
		const expiries = expiryTimes([{id: 1, createdAt: '2026-01-31T02:00:00.000Z', trigger: 'scheduled', retainUntil: undefined}], {retention: {daily: 1, weekly: undefined, monthly: 1, yearly: 2}, timezone: 'UTC'});
		expect(expiries.get(1)?.toISOString()).toBe('2028-01-31T02:00:00.000Z');
		const monthly = expiryTimes([{id: 1, createdAt: '2026-01-31T02:00:00.000Z', trigger: 'scheduled', retainUntil: undefined}], {retention: {daily: 1, weekly: undefined, monthly: 1, yearly: undefined}, timezone: 'UTC'});
		expect(monthly.get(1)?.toISOString()).toBe('2026-02-28T02:00:00.000Z');
	});

	it('never expires scheduled points of an item without a policy', () => {
		expect(expiryTimes([day('2026-01-01', 1)], undefined).get(1)).toBeUndefined();
	});
});
