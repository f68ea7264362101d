import {formatRecoveryPointId, launchedByVariable, runBackup, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {choiceFlag, dateFlag, integerFlag, waitFlag, waitMs} from '../flags.js';
import {progressLine} from '../progress.js';
import {pointJson} from './points.js';

const dayMs = 24 * 60 * 60 * 1000;

export const backupCommand = defineCommand({
	name: 'backup',
	summary: 'Back up an item now (on demand)',
	args: ['ITEM'],
	requiredArgs: 1,
	flags: {
		type: {type: 'string', value: 'TYPE', description: 'full, incremental (default) or differential; the first backup is always full'},
		retainDays: {type: 'string', value: 'N', description: 'Keep this recovery point N days'},
		retainUntil: {type: 'string', value: 'DATE', description: 'Keep this recovery point until DATE (ISO 8601)'},
		...waitFlag,
	},
	examples: ['strata backup vm1', 'strata backup vm1 --type differential --retain-days 30'],
	async run(context) {
		const [itemName] = context.args as [string];
		const type = choiceFlag(context.flags, 'type', ['full', 'incremental', 'differential'] as const);
		const retainDays = integerFlag(context.flags, 'retainDays', {min: 1, max: 36_500});
		const until = dateFlag(context.flags, 'retainUntil');
		const lockWaitMs = waitMs(context.flags);
		if (retainDays !== undefined && until !== undefined) {
			throw new UsageError('USAGE', 'give --retain-days or --retain-until, not both', {hint: 'Keep one of them'});
		}

		const {now} = await import('../../engine/index.js');
		const retainUntil = retainDays === undefined ? until : new Date(now().getTime() + retainDays * dayMs);
		if (retainUntil && retainUntil.getTime() <= now().getTime()) {
			throw new UsageError('FLAG_VALUE', `--retain-until ${retainUntil.toISOString()} is in the past`, {hint: 'Give a future date'});
		}

		const progress = progressLine(`backup ${itemName}`, context.isTty && !context.json ? context.io.stderr : undefined);
		try {
			const point = await runBackup(context.openRepository(), itemName, {type, retainUntil, signal: context.signal, onProgress: progress.update, lockWaitMs, onWait: context.note, recordRefusal: context.io.env[launchedByVariable] === 'console'});
			progress.done();
			if (context.json) context.printJson(pointJson(point));
			else context.print(`Created ${formatRecoveryPointId(point.id)} (${point.type}) of ${itemName}: ${point.changedBlocks} changed, ${point.ownedBlocks} owned blocks, ${point.storedBytes} bytes stored`);
		} finally {
			progress.done();
		}
	},
});
