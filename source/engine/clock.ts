/**
 * The one place Strata reads the time. `STRATA_NOW` (ISO 8601, e.g. 2026-01-03T02:00:00Z)
 * overrides it so scripts and tests can simulate days and weeks.
 */
import {UserError} from './errors.js';

const isoPattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses an ISO 8601 date or date-time; a date alone or a time without zone is taken as UTC. */
export function parseInstant(text: string, what: string): Date {
	const trimmed = text.trim();
	if (!isoPattern.test(trimmed)) {
		throw new UserError('BAD_DATE', `${what} "${text}" is not an ISO 8601 date`, {
			hint: 'Use a form like 2026-01-03 or 2026-01-03T02:00:00Z',
		});
	}

	const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) && trimmed.includes('T');
	const date = new Date(trimmed.includes('T') ? (hasZone ? trimmed : `${trimmed}Z`) : `${trimmed}T00:00:00Z`);
	const [year, month, day] = trimmed.slice(0, 10).split('-').map(Number) as [number, number, number];
	const calendar = new Date(Date.UTC(year, month - 1, day));
	if (Number.isNaN(date.getTime()) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
		throw new UserError('BAD_DATE', `${what} "${text}" is not a valid date`, {
			hint: 'Use a form like 2026-01-03 or 2026-01-03T02:00:00Z',
		});
	}

	return date;
}

/** The current time: STRATA_NOW when set, else the system clock. Use this instead of `new Date()` everywhere in Strata. */
export function now(env: NodeJS.ProcessEnv = process.env): Date {
	const override = env['STRATA_NOW'];
	if (override !== undefined && override !== '') return parseInstant(override, 'STRATA_NOW');
	return new Date();
}

/** Milliseconds since the epoch, from the same clock as now(). */
export function nowMs(env: NodeJS.ProcessEnv = process.env): number {
	return now(env).getTime();
}
