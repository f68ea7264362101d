import {formatRecoveryPointId, parseRecoveryPointId, printable, runRestore, UsageError} from '../../engine/index.js';
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
		force: {type: 'boolean', description: 'Overwrite a target that exists (block devices in place; a database is dropped and recreated)'},
		toDb: {type: 'string', value: 'NAME', description: 'PostgreSQL: restore into this database (created when missing)'},
		table: {type: 'string', value: 'SCHEMA.TABLE', description: 'PostgreSQL: restore only this table (with its data, constraints, defaults, sequences, indexes, triggers); it may join a database that lacks it'},
		toFile: {type: 'string', value: 'PATH', description: 'PostgreSQL: write the dump (pg_dump custom format) to this file instead'},
	},
	details: 'Files are written under a temporary name and renamed when complete; zero blocks become holes. A block device (--force) is written in place, only once every object it needs has been read and checked; a mounted one is refused.',
	examples: ['strata restore vm1 rp3 --to /srv/restore/vm1.img', 'strata restore vm2 7 --to /srv/restore/vm2/', 'strata restore shop rp9 --to-db shop_copy --table public.orders'],
	async run(context) {
		const [itemName, rpText] = context.args as [string, string];
		const to = stringFlag(context.flags, 'to');
		const toDb = stringFlag(context.flags, 'toDb');
		const toFile = stringFlag(context.flags, 'toFile');
		if (to === undefined && toDb === undefined && toFile === undefined) {
			throw new UsageError('MISSING_FLAG', 'restore needs a target: --to PATH (volumes), --to-db NAME or --to-file PATH (PostgreSQL)', {hint: 'See `strata restore --help`'});
		}

		const rpId = parseRecoveryPointId(rpText);
		const progress = progressLine(`restore ${itemName} ${formatRecoveryPointId(rpId)}`, context.isTty && !context.json ? context.io.stderr : undefined);
		try {
			const result = await runRestore(context.openRepository(), itemName, rpId, {
				to,
				toDb,
				toFile,
				table: stringFlag(context.flags, 'table'),
				disk: stringFlag(context.flags, 'disk'),
				force: context.flags['force'] === true,
				signal: context.signal,
				onProgress: progress.update,
			});
			progress.done();
			for (const warning of result.warnings ?? []) context.note(`warning: ${printable(warning)}`);
			if (context.json) context.printJson(result);
			else if (result.database) context.print(`Restored ${formatRecoveryPointId(rpId)} of ${itemName} into database ${result.database}`);
			else if (result.file) context.print(`Wrote the dump of ${formatRecoveryPointId(rpId)} of ${itemName} to ${result.file} (pg_restore reads it)`);
			else for (const written of result.written) context.print(`Restored ${written.disk} of ${formatRecoveryPointId(rpId)} to ${written.path} (${written.size} bytes)`);
		} finally {
			progress.done();
		}
	},
});
