import {listJobs, runExpire, runGc, reapDeadJobs, resumeProtection, setItemPolicy, stopProtection, undeleteItem, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {stringFlag, waitFlag, waitMs} from '../flags.js';
import {formatBytes, formatTable} from '../output.js';
import {itemJson} from './item.js';

export const itemSetCommand = defineCommand({
	name: 'item set',
	summary: 'Change an item: its policy',
	args: ['NAME'],
	requiredArgs: 1,
	flags: {policy: {type: 'string', value: 'POLICY', description: 'Put the item under this policy ("none" for no policy)'}},
	run(context) {
		const policy = stringFlag(context.flags, 'policy');
		if (policy === undefined) throw new UsageError('USAGE', 'item set needs --policy POLICY', {hint: 'See `strata item set --help`'});
		const item = setItemPolicy(context.openRepository(), context.args[0]!, policy === 'none' ? undefined : policy);
		if (context.json) context.printJson(itemJson(item));
		else context.print(`Item ${item.name} is now under policy ${item.policy ?? 'none'}`);
	},
});

export const expireCommand = defineCommand({
	name: 'expire',
	summary: 'Expire the recovery points that are due now (merging each into the next)',
	args: [],
	flags: {dryRun: {type: 'boolean', description: 'Only list what would expire and the bytes it would free'}, ...waitFlag},
	async run(context) {
		const result = await runExpire(context.openRepository(), {dryRun: context.flags['dryRun'] === true, lockWaitMs: waitMs(context.flags), onWait: context.note, signal: context.signal});
		if (context.json) {
			context.printJson(result);
			return;
		}

		for (const point of result.kept) context.note(`rp${point.id} of ${point.item} is due but being restored by ${point.pinnedBy}; it expires on the next run`);

		if (result.expired.length === 0) {
			context.print('Nothing is due to expire.');
			return;
		}

		context.print(formatTable(['ITEM', 'ID', 'TYPE', 'CREATED', 'EXPIRED', 'FREES'], result.expired.map(point => [point.item, `rp${point.id}`, point.type, point.createdAt.slice(0, 16), point.expiresAt.slice(0, 16), formatBytes(point.freesBytes)])));
		context.print(`${result.dryRun ? 'Would expire' : 'Expired'} ${result.expired.length} recovery point(s), ${result.dryRun ? 'freeing' : 'freed'} ${formatBytes(result.freedBytes)}${result.dryRun ? '' : ' (reclaimed on disk by `strata gc`)'}`);
	},
});

export const gcCommand = defineCommand({
	name: 'gc',
	summary: 'Remove unreferenced data and repack sparse packs',
	args: [],
	flags: {...waitFlag},
	async run(context) {
		const result = await runGc(context.openRepository(), {lockWaitMs: waitMs(context.flags), onWait: context.note, signal: context.signal});
		if (result.repackDeferred > 0) context.note(`${result.repackDeferred} sparse pack(s) left for the next gc: a restore is reading`);
		if (context.json) context.printJson(result);
		else context.print(`Removed ${result.deletedObjects} objects, ${result.deletedPacks} packs (${result.repackedPacks} repacked), ${result.orphanFiles} leftover files; freed ${formatBytes(result.freedBytes)}`);
	},
});

export const protectStopCommand = defineCommand({
	name: 'protect stop',
	summary: 'Stop protecting an item, deleting (kept 14 days) or retaining its data',
	args: ['ITEM'],
	requiredArgs: 1,
	flags: {
		deleteData: {type: 'boolean', description: 'Soft-delete its recovery points (purged after 14 days; `strata undelete` brings them back)'},
		retainData: {type: 'boolean', description: 'Keep its recovery points, never expiring, until protection resumes'},
	},
	run(context) {
		const deleteData = context.flags['deleteData'] === true;
		if (deleteData === (context.flags['retainData'] === true)) {
			throw new UsageError('USAGE', 'protect stop needs exactly one of --delete-data or --retain-data', {hint: 'See `strata protect stop --help`'});
		}

		const item = stopProtection(context.openRepository(), context.args[0]!, {deleteData});
		if (context.json) context.printJson(itemJson(item));
		else context.print(deleteData ? `Stopped ${item.name} and deleted its data (recoverable with \`strata undelete ${item.name}\` for 14 days)` : `Stopped ${item.name}; its recovery points are kept until protection resumes`);
	},
});

export const protectResumeCommand = defineCommand({
	name: 'protect resume',
	summary: 'Resume protecting a stopped item',
	args: ['ITEM'],
	requiredArgs: 1,
	flags: {},
	run(context) {
		const {item, wasActive} = resumeProtection(context.openRepository(), context.args[0]!);
		if (context.json) context.printJson(itemJson(item));
		else context.print(wasActive ? `${item.name} is already protected; nothing to resume` : `Resumed ${item.name}`);
	},
});

export const undeleteCommand = defineCommand({
	name: 'undelete',
	summary: 'Bring back an item deleted in the last 14 days (stopped, data retained)',
	args: ['ITEM'],
	requiredArgs: 1,
	flags: {},
	run(context) {
		const item = undeleteItem(context.openRepository(), context.args[0]!);
		if (context.json) context.printJson(itemJson(item));
		else context.print(`Undeleted ${item.name}; resume it with \`strata protect resume ${item.name}\``);
	},
});

export const jobsCommand = defineCommand({
	name: 'jobs',
	summary: 'List recent jobs',
	args: [],
	flags: {},
	run(context) {
		const repo = context.openRepository();
		reapDeadJobs(repo.db);
		const jobs = listJobs(repo.db);
		if (context.json) {
			context.printJson(jobs.map(({detail: _detail, ...job}) => job));
			return;
		}

		if (jobs.length === 0) {
			context.print('No jobs yet.');
			return;
		}

		context.print(
			formatTable(
				['ID', 'ITEM', 'KIND', 'TRIGGER', 'STATUS', 'STARTED', 'ERROR'],
				jobs.map(job => [String(job.id), job.item ?? '-', job.kind, job.trigger, job.status, job.startedAt.slice(0, 19).replace('T', ' '), job.error ?? '']),
			),
		);
	},
});
