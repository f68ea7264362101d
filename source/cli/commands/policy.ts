import {addPolicy, formatRecoveryPointId, getPolicy, simulateRetention, listPolicies, nextRunOf, type Policy, type PolicyChanges, removePolicy, setPolicy} from '../../engine/index.js';
import {defineCommand, type FlagSpec, type Flags} from '../command.js';
import {integerFlag, stringFlag} from '../flags.js';
import {formatBytes, formatTable} from '../output.js';

const retentionFlags: Record<string, FlagSpec> = {
	retainDaily: {type: 'string', value: 'N', description: 'Keep each scheduled recovery point N days'},
	retainWeekly: {type: 'string', value: 'N', description: 'Keep the first point of each ISO week N weeks'},
	retainMonthly: {type: 'string', value: 'N', description: 'Keep the first point of each month N months'},
	retainYearly: {type: 'string', value: 'N', description: 'Keep the first point of each year N years'},
};

const policyFlags: Record<string, FlagSpec> = {
	schedule: {type: 'string', value: 'SPEC', description: 'hourly, daily@HH:MM, weekly@sun@HH:MM, or a cron expression'},
	tz: {type: 'string', value: 'ZONE', description: 'Time zone of the schedule and of weeks/months (default UTC)'},
	...retentionFlags,
};

function changesFrom(flags: Flags): PolicyChanges {
	const retention: NonNullable<PolicyChanges['retention']> = {};
	for (const unit of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
		const value = integerFlag(flags, `retain${unit[0]!.toUpperCase()}${unit.slice(1)}`, {min: 1, max: 100_000});
		if (value !== undefined) retention[unit] = value;
	}

	return {schedule: stringFlag(flags, 'schedule'), timezone: stringFlag(flags, 'tz'), retention};
}

/** How a policy's retention reads: "7d 4w 12m 1y". */
export function describeRetention(policy: Policy): string {
	const {daily, weekly, monthly, yearly} = policy.retention;
	return [daily && `${daily}d`, weekly && `${weekly}w`, monthly && `${monthly}m`, yearly && `${yearly}y`].filter(Boolean).join(' ') || '-';
}

/** The JSON shape of a policy. */
export function policyJson(policy: Policy) {
	return {
		name: policy.name,
		schedule: policy.schedule,
		timezone: policy.timezone,
		retention: policy.retention,
		items: policy.itemCount,
		nextRun: nextRunOf(policy)?.toISOString() ?? null,
	};
}

export const policyAddCommand = defineCommand({
	name: 'policy add',
	summary: 'Create a policy: a schedule plus retention',
	args: ['NAME'],
	requiredArgs: 1,
	flags: policyFlags,
	examples: ['strata policy add nightly --schedule daily@02:30 --retain-daily 7 --retain-weekly 4 --retain-monthly 12'],
	run(context) {
		const policy = addPolicy(context.openRepository(), context.args[0]!, changesFrom(context.flags));
		if (context.json) context.printJson(policyJson(policy));
		else context.print(`Added policy ${policy.name} (${policy.schedule} ${policy.timezone}, keep ${describeRetention(policy)})`);
	},
});

export const policySetCommand = defineCommand({
	name: 'policy set',
	summary: 'Change a policy; new retention applies to existing recovery points too',
	args: ['NAME'],
	requiredArgs: 1,
	flags: policyFlags,
	run(context) {
		const policy = setPolicy(context.openRepository(), context.args[0]!, changesFrom(context.flags));
		if (context.json) context.printJson(policyJson(policy));
		else context.print(`Policy ${policy.name}: ${policy.schedule} ${policy.timezone}, keep ${describeRetention(policy)}`);
	},
});

export const policyListCommand = defineCommand({
	name: 'policy list',
	summary: 'List policies',
	args: [],
	flags: {},
	run(context) {
		const policies = listPolicies(context.openRepository());
		if (context.json) {
			context.printJson(policies.map(policy => policyJson(policy)));
			return;
		}

		if (policies.length === 0) {
			context.print('No policies yet. Add one with `strata policy add NAME --schedule daily@02:30 --retain-daily 7`.');
			return;
		}

		context.print(
			formatTable(
				['NAME', 'SCHEDULE', 'TZ', 'RETENTION', 'ITEMS', 'NEXT RUN'],
				policies.map(policy => [policy.name, policy.schedule, policy.timezone, describeRetention(policy), String(policy.itemCount), nextRunOf(policy)?.toISOString().replace('T', ' ').slice(0, 16) ?? '-']),
			),
		);
	},
});

export const policyRemoveCommand = defineCommand({
	name: 'policy remove',
	summary: 'Remove a policy no item uses',
	args: ['NAME'],
	requiredArgs: 1,
	flags: {},
	run(context) {
		const repo = context.openRepository();
		const policy = getPolicy(repo, context.args[0]!);
		removePolicy(repo, policy.name);
		if (context.json) context.printJson({removed: policy.name});
		else context.print(`Removed policy ${policy.name}`);
	},
});

export const policySimulateCommand = defineCommand({
	name: 'policy simulate',
	summary: 'Show what other retention would expire now, free and save per month, changing nothing',
	args: ['NAME'],
	requiredArgs: 1,
	// Only retention: a --schedule here would be ignored, so it is refused as an unknown flag.
	flags: retentionFlags,
	examples: ['strata policy simulate nightly --retain-daily 3 --retain-weekly 2'],
	run(context) {
		const changes = changesFrom(context.flags);
		const result = simulateRetention(context.openRepository(), context.args[0]!, changes.retention ?? {});
		if (context.json) {
			context.printJson(result);
			return;
		}

		if (result.expiring.length > 0) {
			context.print(formatTable(['ITEM', 'ID', 'CREATED', 'WOULD EXPIRE'], result.expiring.map(point => [point.item, formatRecoveryPointId(point.id), point.createdAt.slice(0, 16), point.expiresAt.slice(0, 16)])));
		}

		const money = `${result.monthlyCostChange <= 0 ? '' : '+'}${result.monthlyCostChange.toFixed(4)} ${result.price.currency}/month`;
		context.print(`${result.expiring.length} recovery point(s) would expire now, freeing ${formatBytes(result.freedBytes)}: ${money}. Nothing was changed.`);
	},
});
