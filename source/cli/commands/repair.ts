import {formatRecoveryPointId, type RepairReport, runRepair} from '../../engine/index.js';
import {defineCommand} from '../command.js';

/** The one stderr line of a repair that left points damaged. */
function failureLine(report: RepairReport): string {
	const points = report.brokenPoints.map(point => `${point.item} ${formatRecoveryPointId(point.id)}`).join(', ');
	return `strata: ${report.brokenPoints.length} recovery point(s) stay damaged: ${points}. Restore from an unaffected recovery point; a new backup protects the data the sources hold now.`;
}

export const repairCommand = defineCommand({
	name: 'repair',
	summary: 'Store again, from the sources, data that verify or a restore found damaged',
	args: ['[ITEM]'],
	flags: {},
	details: [
		'Re-reads the current sources of items whose recovery points need objects marked damaged (by `strata verify`',
		'or a restore) and stores again every block whose content is still the same; every point using it heals.',
		'Says which points stay damaged (exit 1): their source changed since, or it is a PostgreSQL dump, which only',
		'the next backup of the item stores again.',
	].join('\n'),
	examples: ['strata verify --read-data || strata repair', 'strata repair vm1 --json'],
	async run(context) {
		const [itemName] = context.args;
		const report = await runRepair(context.openRepository(), itemName, {signal: context.signal});
		if (context.json) {
			context.printJson(report);
		} else {
			context.print(report.damagedBefore === 0 ? 'Nothing to repair: no recovery point needs an object marked damaged' : `Repaired ${report.repaired} of ${report.damagedBefore} damaged object(s) from the sources`);
			for (const point of report.brokenPoints) context.print(`broken: ${point.item} ${formatRecoveryPointId(point.id)}: ${point.reason}`);
			if (report.brokenPoints.length > 0) context.io.stderr.write(`${failureLine(report)}\n`);
		}

		return report.brokenPoints.length > 0 ? 1 : 0;
	},
});
