/** The header fits its width by giving up detail in order, never by cutting a word or number. */
import {describe, expect, it} from 'vitest';
import {fitHeader, type HeaderFacts} from '../../../source/tui/components/header.js';

const facts: HeaderFacts = {path: '/tmp/strata-demo/repo', items: 4, stored: '17M', cost: '0.0031 USD', clock: new Date('2026-03-31T09:00:00Z')};
const words = (line: string) => line.split(/\s+/);

describe('the header', () => {
	it('shows every part in full when there is room', () => {
		expect(fitHeader(facts, 120)).toBe('Strata  /tmp/strata-demo/repo  4 items  17M stored  0.0031 USD/mo  2026-03-31 09:00 UTC');
	});

	it('fits 80 columns by dropping the year, then the leading folders of the path, keeping the clock whole', () => {
		const line = fitHeader(facts, 80);
		expect(line).toBe('Strata  …/strata-demo/repo  4 items  17M stored  0.0031 USD/mo  03-31 09:00 UTC');
		expect(line.length).toBeLessThanOrEqual(80);
	});

	it('fits every width from 60 up with whole words only, the clock and the cost last to go', () => {
		const full = words(fitHeader(facts, 200));
		for (let width = 60; width <= 100; width++) {
			const line = fitHeader({...facts, path: '/srv/backups/strata/customers/production/repository'}, width);
			expect(line.length, line).toBeLessThanOrEqual(width);
			expect(line).toMatch(/09:00 UTC$/);
			expect(line).toContain('0.0031 USD/mo');
			// Every word is one of the full header's words or a shortened path or date: nothing cut mid-word.
			for (const word of words(line)) expect(full.includes(word) || /^(…\/|03-31|\/srv)/.test(word) || ['stored', 'items'].includes(word) || /^\d+$/.test(word) || word === '17M', `${word} in ${line}`).toBe(true);
		}
	});

	it('marks a shortened path with ~ in ASCII', () => {
		expect(fitHeader(facts, 80, '~')).toContain('~/strata-demo/repo');
	});
});
