import {parseRecoveryPointId, runRestore, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {stringFlag} from '../flags.js';
import {progressLine} from '../progress.js';

export const restoreCommand = defineCommand({
	name: 'restore',
	summary: 'Restore a recovery point',
	args: ['ITEM', 'RP'],
	requiredArgs: 2,
	flags: {
		to: {type: 'string', value: 'PATH', description: 'Target file (one disk) or folder (several disks, one file each)'},
		disk: {type: 'string', value: 'NAME', description: 'Restore only this disk of a multi-disk item'},
		force: {type: 'boolean', description: 'Overwrite a target that exists (and write block devices in place)'},
	},
	details: 'Files are written under a temporary name and renamed when complete; zero blocks become holes.',
	examples: ['strata restore vm1 rp3 --to /srv/restore/vm1.img', 'strata restore vm2 7 --to /srv/restore/vm2/'],
	async run(context) {
		const [itemName, rpText] = context.args as [string, string];
		const to = stringFlag(context.flags, 'to');
		if (to === undefined) throw new UsageError('MISSING_FLAG', 'restore needs a target: --to PATH', {hint: 'See `strata restore --help`'});
		const rpId = parseRecoveryPointId(rpText);
		const progress = progressLine(`restore ${itemName} rp${rpId}`, context.isTty && !context.json);
		try {
			const result = await runRestore(context.openRepository(), itemName, rpId, {
				to,
				disk: stringFlag(context.flags, 'disk'),
				force: context.flags['force'] === true,
				signal: context.signal,
				onProgress: progress.update,
			});
			progress.done();
			if (context.json) context.printJson(result);
			else for (const written of result.written) context.print(`Restored ${written.disk} of rp${rpId} to ${written.path} (${written.size} bytes)`);
		} finally {
			progress.done();
		}
	},
});
