/** The header fits its width by giving up detail in order, never by cutting a word or number. */
import {describe, expect, it} from 'vitest';
import {fitHeader, type HeaderFacts} from '../../../source/tui/components/header.js';

const facts: HeaderFacts = {path: '/tmp/strata-demo/repo', items: 4, stored: '17M', cost: '0.0031 USD', clock: new Date('2026-03-31T09:00:00Z')};
const longPath = '/srv/backups/strata/customers/production/repository';

describe('the header', () => {
	it('shows every part in full when there is room', () => {
		expect(fitHeader(facts, 120)).toBe('Strata  /tmp/strata-demo/repo  4 items  17M stored  0.0031 USD/mo  2026-03-31 09:00 UTC');
	});

	it('fits 80 columns by dropping the clock\'s year and the word "stored", keeping the clock and the path whole', () => {
		const line = fitHeader(facts, 80);
		expect(line).toBe('Strata  /tmp/strata-demo/repo  4 items  17M  0.0031 USD/mo  03-31 09:00 UTC');
		expect(line.length).toBeLessThanOrEqual(80);
	});

	it('keeps a long path whole at 80 columns, giving up what the panes show too (stored bytes, cost)', () => {
		expect(fitHeader({...facts, path: longPath}, 80)).toBe(`Strata  ${longPath}  4 items  09:00 UTC`);
	});

	it('fits every width from 60 up with whole parts only: each is one of its forms, the path shortened last', () => {
		for (let width = 60; width <= 130; width++) {
			const line = fitHeader({...facts, path: longPath}, width);
			expect(line.length, line).toBeLessThanOrEqual(width);
			expect(line.startsWith('Strata  '), line).toBe(true);
			for (const part of line.split('  ').slice(1)) {
				const known = [longPath, '…/production/repository', '…/repository', '4 items', '17M stored', '17M', '0.0031 USD/mo', '2026-03-31 09:00 UTC', '03-31 09:00 UTC', '09:00 UTC'];
				expect(known, `${part} in ${line}`).toContain(part);
			}
		}

		expect(fitHeader({...facts, path: longPath}, 60)).toBe('Strata  …/production/repository  09:00 UTC');
	});

	it('marks a shortened path with ~ in ASCII', () => {
		expect(fitHeader({...facts, path: longPath}, 60, '~')).toContain('~/production/repository');
	});
});
