import {afterEach, describe, expect, it, vi} from 'vitest';
import {now, nowMs} from '../../source/engine/clock.js';
import {UserError} from '../../source/engine/errors.js';

describe('clock', () => {
	afterEach(() => {
		vi.unstubAllEnvs();
	});

	it('uses STRATA_NOW when it is set', () => {
		vi.stubEnv('STRATA_NOW', '2026-01-03T02:00:00Z');
		expect(now().toISOString()).toBe('2026-01-03T02:00:00.000Z');
		expect(nowMs()).toBe(Date.UTC(2026, 0, 3, 2));
	});

	it('reads a date without a time, or a time without a zone, as UTC', () => {
		expect(now({STRATA_NOW: '2026-02-01'}).toISOString()).toBe('2026-02-01T00:00:00.000Z');
		expect(now({STRATA_NOW: '2026-02-01T10:30'}).toISOString()).toBe('2026-02-01T10:30:00.000Z');
		expect(now({STRATA_NOW: '2026-02-01T10:30:00+02:00'}).toISOString()).toBe('2026-02-01T08:30:00.000Z');
	});

	it.each(['yesterday', '2026-13-45', '2026-02-30', '2026-01-03 02:00', '1767405600'])('refuses STRATA_NOW=%s with BAD_DATE', value => {
		let thrown: unknown;
		try {
			now({STRATA_NOW: value});
		} catch (error) {
			thrown = error;
		}

		expect(thrown).toBeInstanceOf(UserError);
		expect((thrown as UserError).code).toBe('BAD_DATE');
		expect((thrown as UserError).message).toContain('STRATA_NOW');
	});

	it('reads the system clock when STRATA_NOW is unset or empty', () => {
		vi.stubEnv('STRATA_NOW', undefined);
		expect(Math.abs(now().getTime() - Date.now())).toBeLessThan(1000);
		expect(Math.abs(now({STRATA_NOW: ''}).getTime() - Date.now())).toBeLessThan(1000);
	});
});
