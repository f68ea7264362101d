import {formatRecoveryPointId, getPolicy, listJobs, reapDeadJobs, resumeProtection, runExpire, runGc, type Item, setItemPolicy, setVolumeOptions, type SettingsChange, stopProtection, undeleteItem, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {stringFlag, waitFlag, waitMs} from '../flags.js';
import {formatBytes, formatTable} from '../output.js';
import {itemJson} from './item.js';

export const itemSetCommand = defineCommand({
	name: 'item set',
	summary: 'Change an item: its policy, its freeze and thaw commands, whether its block devices may be read live',
	args: ['NAME'],
	requiredArgs: 1,
	flags: {
		policy: {type: 'string', value: 'POLICY', description: 'Put the item under this policy ("none" for no policy)'},
		freezeCmd: {type: 'string', value: 'CMD', description: 'Shell command run before reading the disks, e.g. fsfreeze -f /mnt ("none" to remove)'},
		thawCmd: {type: 'string', value: 'CMD', description: 'Shell command run after reading, also when the read fails ("none" to remove)'},
		allowLive: {type: 'boolean', description: 'Read its block devices even while mounted or in use (--no-allow-live to refuse again)'},
	},
	run(context) {
		const policy = stringFlag(context.flags, 'policy');
		const allowLive = context.flags['allowLive'];
		const change: SettingsChange = {};
		for (const key of ['freezeCmd', 'thawCmd'] as const) {
			const value = stringFlag(context.flags, key);
			if (value !== undefined) change[key] = value === 'none' ? null : value;
		}

		if (typeof allowLive === 'boolean') change.allowLive = allowLive;
		if (policy === undefined && Object.keys(change).length === 0) {
			throw new UsageError('USAGE', 'item set needs --policy, --freeze-cmd, --thaw-cmd, --allow-live or --no-allow-live', {hint: 'See `strata item set --help`'});
		}

		const repo = context.openRepository();
		const name = context.args[0]!;
		// The policy is checked before anything is stored, so a wrong name leaves the item as it was.
		if (policy !== undefined && policy !== 'none') getPolicy(repo, policy);
		let item = Object.keys(change).length > 0 ? setVolumeOptions(repo, name, change) : undefined;
		if (policy !== undefined) item = setItemPolicy(repo, name, policy === 'none' ? undefined : policy);
		if (context.json) context.printJson(itemJson(item!));
		else {
			if (policy !== undefined) context.print(`Item ${item!.name} is now under policy ${item!.policy ?? 'none'}`);
			if (Object.keys(change).length > 0) context.print(`Item ${item!.name}: ${describeVolumeOptions(item!)}`);
		}
	},
});

function describeVolumeOptions(item: Item): string {
	if (item.kind !== 'volume') return 'not a volume';
	const freeze = item.freezeCmd ? `freeze command ${item.freezeCmd}, thaw command ${item.thawCmd ?? 'none'}` : 'no freeze command';
	const live = item.allowLive ? 'block devices in use are read live (the copy may be inconsistent)' : 'block devices in use are refused unless frozen';
	return `${freeze}; ${live}`;
}

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

		for (const point of result.kept) context.note(`${formatRecoveryPointId(point.id)} of ${point.item} is due but being restored by ${point.pinnedBy}; it expires on the next run`);

		if (result.expired.length === 0) {
			context.print('Nothing is due to expire.');
			return;
		}

		context.print(formatTable(['ITEM', 'ID', 'TYPE', 'CREATED', 'EXPIRED', 'FREES'], result.expired.map(point => [point.item, formatRecoveryPointId(point.id), point.type, point.createdAt.slice(0, 16), point.expiresAt.slice(0, 16), formatBytes(point.freesBytes)])));
		context.print(`${result.dryRun ? 'Would expire' : 'Expired'} ${result.expired.length} recovery point(s), ${result.dryRun ? 'freeing' : 'freed'} ${formatBytes(result.freedBytes)}${result.dryRun ? '' : ' (reclaimed on disk by `strata gc`)'}`);
	},
});

export const gcCommand = defineCommand({
	name: 'gc',
	summary: 'Remove unreferenced data and repack sparse packs',
	args: [],
	flags: {force: {type: 'boolean', description: 'Also delete pack files no point accounts for (data of points the catalog lost), and accept a catalog that lost commits'}, ...waitFlag},
	details: 'gc deletes only what it can account for: a pack file no point names is removed when a killed backup left it; any other stops gc, naming it, unless --force. It waits for backups in flight.',
	async run(context) {
		const result = await runGc(context.openRepository(), {force: context.flags['force'] === true, lockWaitMs: waitMs(context.flags), onWait: context.note, signal: context.signal});
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
		reapDeadJobs(repo);
		const jobs = listJobs(repo);
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
