import {requireItem, verifyRepository} from '../../engine/index.js';
import {defineCommand} from '../command.js';

export const verifyCommand = defineCommand({
	name: 'verify',
	summary: 'Check that every recovery point\'s data is present (and, with --read-data, intact)',
	args: ['[ITEM]'],
	flags: {
		readData: {type: 'boolean', description: 'Also read, decompress and re-hash every object'},
	},
	async run(context) {
		const [itemName] = context.args;
		const repo = context.openRepository();
		const itemId = itemName === undefined ? undefined : requireItem(repo.db, itemName).id;
		const report = await verifyRepository(repo, {itemId, readData: context.flags['readData'] === true, signal: context.signal});
		if (context.json) {
			context.printJson(report);
		} else if (report.ok) {
			context.print(`OK: ${report.checkedObjects} objects of ${report.checkedPoints} recovery points ${report.readData ? 'read and re-hashed' : 'present'}`);
		} else {
			for (const problem of report.catalogProblems) context.print(`catalog: ${problem}`);
			for (const object of report.damaged.slice(0, 20)) context.print(`damaged: object ${object.hash?.slice(0, 12) ?? `#${object.objectId}`} in pack ${object.pack ?? '?'}: ${object.problem}`);
			if (report.damaged.length > 20) context.print(`... and ${report.damaged.length - 20} more damaged objects`);
			const affected = report.affectedPoints.map(point => `${point.item} rp${point.id}`).join(', ');
			process.stderr.write(`strata: ${report.damaged.length} damaged object(s)${report.catalogProblems.length > 0 ? ' and a damaged catalog' : ''}; affected recovery points: ${affected || 'none'}. Restore from an unaffected recovery point and back up again.\n`);
		}

		return report.ok ? 0 : 1;
	},
});
