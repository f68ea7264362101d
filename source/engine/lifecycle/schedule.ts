/**
 * Schedules: `hourly`, `daily@HH:MM`, `weekly@DAY@HH:MM`, or a cron expression, read in the policy's time zone.
 * Cron parsing and time-zone arithmetic come from croner (a maintained library) rather than hand-written code.
 */
import {Cron} from 'croner';
import {UserError} from '../errors.js';

const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function badSchedule(spec: string, why: string): UserError {
	return new UserError('BAD_SCHEDULE', `schedule "${spec}" is not valid: ${why}`, {
		hint: 'Use hourly, daily@02:30, weekly@sun@02:30, or a cron expression such as "30 2 * * *"',
	});
}

function parseTime(spec: string, text: string): {hour: number; minute: number} {
	const match = /^(\d{1,2}):(\d{2})$/.exec(text);
	const hour = Number(match?.[1]);
	const minute = Number(match?.[2]);
	if (!match || hour > 23 || minute > 59) throw badSchedule(spec, `"${text}" is not a time HH:MM`);
	return {hour, minute};
}

/** Turns a schedule spec into a five-field cron expression, or fails with a clear error. */
export function toCronExpression(spec: string): string {
	const text = spec.trim().toLowerCase();
	if (text === 'hourly') return '0 * * * *';
	if (text.startsWith('daily@')) {
		const {hour, minute} = parseTime(spec, text.slice(6));
		return `${minute} ${hour} * * *`;
	}

	if (text.startsWith('weekly@')) {
		const [, day = '', time = ''] = text.split('@');
		const dayIndex = days.indexOf(day.slice(0, 3));
		if (dayIndex < 0) throw badSchedule(spec, `"${day}" is not a day of the week (sun, mon, ...)`);
		const {hour, minute} = parseTime(spec, time);
		return `${minute} ${hour} * * ${dayIndex}`;
	}

	if (text.split(/\s+/).length !== 5) throw badSchedule(spec, 'a cron expression has five fields (minute hour day month weekday)');
	return spec.trim();
}

/** Checks an IANA time zone name. */
export function assertTimezone(timezone: string): string {
	try {
		new Intl.DateTimeFormat('en', {timeZone: timezone});
	} catch {
		throw new UserError('BAD_TIMEZONE', `"${timezone}" is not a time zone`, {hint: 'Use an IANA name such as UTC or Europe/Berlin'});
	}

	return timezone;
}

function cronOf(spec: string, timezone: string): Cron {
	try {
		return new Cron(toCronExpression(spec), {timezone, paused: true});
	} catch (error) {
		if (error instanceof UserError) throw error;
		throw badSchedule(spec, (error as Error).message.replace(/^CronPattern: /, ''));
	}
}

/** Validates a schedule spec in a time zone (throws a UserError when it is not valid). */
export function assertSchedule(spec: string, timezone: string): void {
	cronOf(spec, timezone);
}

/** The next scheduled time strictly after `after`. */
export function nextSlot(spec: string, timezone: string, after: Date): Date | undefined {
	return cronOf(spec, timezone).nextRun(after) ?? undefined;
}

/** The latest scheduled time at or before `at`. */
export function latestSlot(spec: string, timezone: string, at: Date): Date | undefined {
	return cronOf(spec, timezone).previousRuns(1, new Date(at.getTime() + 1))[0];
}
