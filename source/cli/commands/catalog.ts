import {formatRecoveryPointId, rebuildCatalog, RuntimeError} from '../../engine/index.js';
import {defineCommand} from '../command.js';

export const catalogRebuildCommand = defineCommand({
	name: 'catalog rebuild',
	summary: 'Recreate a lost catalog (catalog.db) from the packs alone',
	args: [],
	flags: {
		force: {type: 'boolean', description: 'Rebuild even though catalog.db exists (it is moved aside, never deleted)'},
	},
	details:
		'Every pack holds an index of its objects, every recovery point its manifest and the repository its state (items, policies, settings): rebuild reads them and writes a new catalog with the same items, policies and points. A pack whose index cannot be read is reported and skipped, with the points it breaks. Killed, it can simply be run again.',
	run(context) {
		const report = rebuildCatalog(context.repositoryPath, {force: context.flags['force'] === true});
		if (context.json) {
			context.printJson(report);
		} else {
			if (report.movedAside) context.print(`Moved the old catalog aside to ${report.movedAside}`);
			context.print(`Rebuilt ${report.catalog}: ${report.items} item(s), ${report.policies} polic${report.policies === 1 ? 'y' : 'ies'}, ${report.points} recovery point(s), ${report.objects} object(s) in ${report.packs} pack(s)`);
			for (const pack of report.damagedPacks) context.print(`damaged pack ${pack.pack}: ${pack.problem} (skipped)`);
			for (const point of report.brokenPoints) context.print(`broken: ${point.item} ${formatRecoveryPointId(point.id)}: ${point.problem}`);
		}

		if (report.damagedPacks.length > 0 || report.brokenPoints.length > 0) {
			const named = report.brokenPoints.map(point => `${point.item} ${formatRecoveryPointId(point.id)}`).join(', ');
			const error = new RuntimeError(
				'PACK_DAMAGED',
				`the catalog was rebuilt, but ${report.damagedPacks.length} pack(s) could not be read and ${report.brokenPoints.length} recovery point(s) cannot restore whole (${named || 'none'})`,
				{hint: 'Restore the other points as usual; back up the affected items again (`strata backup ITEM`), or restore the damaged packs from a copy and rebuild with --force'},
			);
			context.io.stderr.write(`strata: ${error.message}. ${error.hint}.\n`);
			return 1;
		}
	},
});
