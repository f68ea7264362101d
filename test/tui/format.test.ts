/** The console's short formats: money that never reads as zero, aligned columns with marked cuts. */
import {describe, expect, it} from 'vitest';
import {amount, columns, fit, money} from '../../source/tui/format.js';

describe('money', () => {
	it('keeps enough significant digits to differ from zero, in at most seven characters', () => {
		const cases: Array<[number, string]> = [
			[0, '0.00'],
			[1234.4, '1234'],
			[4.2, '4.20'],
			[0.42, '0.42'],
			[0.042, '0.042'],
			[0.0031, '0.0031'],
			[0.00078, '0.00078'],
			[0.000078, '7.8e-5'],
			[9.5e-9, '9.5e-9'],
		];
		for (const [value, shown] of cases) expect(amount(value), String(value)).toBe(shown);
		for (const value of [1e-12, 3e-7, 0.00049, 0.0099, 0.099, 0.5]) {
			expect(Number(amount(value)), String(value)).toBeGreaterThan(0);
			expect(amount(value).length).toBeLessThanOrEqual(7);
		}

		expect(money(0.0031, {perGibMonth: 0.0224, currency: 'USD'})).toBe('0.0031 USD');
	});
});

describe('columns', () => {
	it('lines cells up, cuts the shrinkable column first and marks every cut', () => {
		const rows = [
			['#97', 'backup', 'old-app', 'failed 0s 02:30'],
			['#96', 'backup', 'files', 'ok     0s 02:30'],
			['#100', 'gc', '', 'ok     0s 02:30'],
		];
		expect(columns(rows, [{}, {}, {shrinkTo: 4}], 40)).toEqual(['#97  backup old-app failed 0s 02:30', '#96  backup files   ok     0s 02:30', '#100 gc             ok     0s 02:30']);
		expect(columns(rows, [{}, {}, {shrinkTo: 4}], 32)).toEqual(['#97  backup old… failed 0s 02:30', '#96  backup fil… ok     0s 02:30', '#100 gc          ok     0s 02:30']);
		expect(columns(rows, [{}, {}, {shrinkTo: 4}], 32, '~')[0]).toBe('#97  backup old~ failed 0s 02:30');
	});

	it('fit cuts with the ellipsis given', () => {
		expect(fit('weekly@sun@03:00', 8)).toBe('weekly@…');
		expect(fit('weekly@sun@03:00', 8, '~')).toBe('weekly@~');
	});
});
