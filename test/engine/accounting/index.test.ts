/** Accounting arithmetic on synthetic figures: churn shares and the forecast. */
import {describe, expect, it} from 'vitest';
import {averageDailyChurn, churnShare, project, retainedDays} from '../../../source/engine/accounting/index.js';

const tb = 1000 ** 4;

describe('churn arithmetic', () => {
	it('0.4 TB changed of 8 TB used is a churn of 5%', () => {
		expect(churnShare(0.4 * tb, 8 * tb)).toBeCloseTo(0.05, 12);
		expect(churnShare(10, 0)).toBe(0);
	});

	it('averages churn per day over a window ending now', () => {
		const at = new Date('2026-03-31T00:00:00Z');
		const points = [
			{createdAt: '2026-03-30T00:00:00Z', changedBytes: 700},
			{createdAt: '2026-03-20T00:00:00Z', changedBytes: 3000},
			{createdAt: '2026-01-01T00:00:00Z', changedBytes: 99_999},
		];
		expect(averageDailyChurn(points, 7, at)).toBe(100);
		expect(averageDailyChurn(points, 30, at)).toBe(3700 / 30);
	});
});

describe('forecast', () => {
	it('grows by compressed daily churn until the retention horizon, then stays level', () => {
		const price = {perGibMonth: 1, currency: 'EUR'};
		const gib = 1024 ** 3;
		const points = project({storedBytes: 10 * gib, dailyChurnBytes: 2 * gib, compression: 0.5, retainedDays: 30, historyDays: 0}, 90, price, 15);
		expect(points.map(point => point.day)).toEqual([0, 15, 30, 45, 60, 75, 90]);
		expect(points.map(point => point.storedBytes / gib)).toEqual([10, 25, 40, 40, 40, 40, 40]);
		expect(points[2]!.monthlyCost).toBe(40);
	});

	it('takes the longest retention rule as the horizon', () => {
		expect(retainedDays({daily: 7, weekly: 4, monthly: undefined, yearly: undefined})).toBe(28);
		expect(retainedDays({daily: 7, weekly: 4, monthly: 12, yearly: undefined})).toBe(360);
		expect(retainedDays(undefined)).toBe(0);
	});
});
