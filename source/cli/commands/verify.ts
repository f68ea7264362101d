import {formatRecoveryPointId, requireItem, RuntimeError, toStrataError, type VerifyReport, verifyRepository} from '../../engine/index.js';
import {defineCommand} from '../command.js';

/** What heals damage: the points stay damaged until a repair or a new backup stores the data again. */
const healHint = 'Run `strata repair` (or back up the item again) to store again what the sources still hold; the listed points stay damaged until then, or restore from an unaffected one';
const catalogHint = 'Restore catalog.db from a copy of the repository, then run `strata verify --read-data` again';

/** Packs whose index disagrees with the catalog, apart from those the damaged objects already name. */
function otherPackProblems(report: VerifyReport): Array<{pack: string; problem: string}> {
	const named = new Set(report.damaged.map(object => object.pack));
	return (report.packs?.problems ?? []).filter(problem => !named.has(problem.pack));
}

/** The one stderr line of a failed verify: what is damaged, which points it affects, and what to do. */
function failureLine(report: VerifyReport): string {
	const affected = report.affectedPoints.map(point => `${point.item} ${formatRecoveryPointId(point.id)}`).join(', ');
	const disagreeing = otherPackProblems(report).length;
	const packs = disagreeing > 0 ? `; ${disagreeing} pack(s) disagree with the catalog` : '';
	const objects = `${report.damaged.length} damaged object(s); affected recovery points: ${affected || 'none'}${packs}`;
	if (report.catalogProblems.length === 0) return `strata: ${objects}. ${healHint}.`;
	// A damaged catalog makes "restore from an unaffected point" the wrong advice: the catalog comes first.
	return `strata: the repository catalog is damaged (SQLite's quick_check found ${report.catalogProblems.length} problem(s))${report.damaged.length > 0 ? `; ${objects}` : ''}. ${catalogHint}.`;
}

/** Verify with a catalog too damaged to read: say so without pointing back at verify. */
async function verifyOrExplain(...args: Parameters<typeof verifyRepository>): Promise<VerifyReport> {
	try {
		return await verifyRepository(...args);
	} catch (error) {
		const failure = toStrataError(error);
		if (failure.code !== 'CATALOG_DAMAGED') throw failure;
		throw new RuntimeError('CATALOG_DAMAGED', `${failure.message}, so verify cannot tell which recovery points are affected`, {hint: catalogHint, cause: error});
	}
}

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
		const itemId = itemName === undefined ? undefined : requireItem(repo, itemName).id;
		const report = await verifyOrExplain(repo, {itemId, readData: context.flags['readData'] === true, signal: context.signal});
		if (context.json) {
			context.printJson(report);
			return report.ok ? 0 : 1;
		}

		if (report.repaired > 0) context.print(`repaired: ${report.repaired} object${report.repaired === 1 ? '' : 's'} damaged earlier ${report.repaired === 1 ? 'is' : 'are'} repaired (stored again by a backup or \`strata repair\`)`);
		if (report.ok) {
			context.print(`OK: ${report.checkedObjects} objects of ${report.checkedPoints} recovery points ${report.readData ? 'read and re-hashed' : 'present'}`);
		} else {
			for (const problem of report.catalogProblems) context.print(`catalog: ${problem}`);
			for (const object of report.damaged.slice(0, 20)) context.print(`damaged: object ${object.hash?.slice(0, 12) ?? `#${object.objectId}`} in pack ${object.pack ?? '?'}: ${object.problem}`);
			if (report.damaged.length > 20) context.print(`... and ${report.damaged.length - 20} more damaged objects`);
			for (const pack of otherPackProblems(report)) context.print(`pack ${pack.pack}: ${pack.problem}`);
			context.io.stderr.write(`${failureLine(report)}\n`);
		}

		return report.ok ? 0 : 1;
	},
});
