import {churnReport, costReport, forecastItem, formatRecoveryPointId, type Price, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {stringFlag} from '../flags.js';
import {formatBytes, formatTable} from '../output.js';

/** Money as people read it: "1.23 USD". */
export function formatMoney(amount: number, price: Price): string {
	return `${amount < 0.01 && amount > 0 ? amount.toPrecision(2) : amount.toFixed(2)} ${price.currency}`;
}

function parseDays(text: string): number {
	const match = /^(\d{1,5})d?$/.exec(text.trim());
	if (!match || Number(match[1]) < 1) throw new UsageError('FLAG_VALUE', `--forecast "${text}" is not a number of days`, {hint: 'Use e.g. --forecast 90d'});
	return Number(match[1]);
}

export const costCommand = defineCommand({
	name: 'cost',
	summary: 'Storage cost per recovery point, per item and for the repository',
	args: ['[ITEM]'],
	flags: {
		forecast: {type: 'string', value: 'DAYS', description: 'Project stored bytes and money over the next DAYS (e.g. 90d) for ITEM'},
		frees: {type: 'boolean', description: 'Also show what expiring each point would free (slower on long histories)'},
	},
	examples: ['strata cost', 'strata cost vm1 --json', 'strata cost vm1 --forecast 90d'],
	run(context) {
		const [itemName] = context.args;
		const repo = context.openRepository();
		const forecastText = stringFlag(context.flags, 'forecast');
		if (forecastText !== undefined) {
			if (itemName === undefined) throw new UsageError('USAGE', '--forecast needs an ITEM', {hint: 'Use `strata cost ITEM --forecast 90d`'});
			const forecast = forecastItem(repo, itemName, parseDays(forecastText));
			if (context.json) {
				context.printJson(forecast);
				return;
			}

			context.print(formatTable(['DAY', 'STORED', 'PER MONTH'], forecast.points.map(point => [`+${point.day}d`, formatBytes(point.storedBytes), formatMoney(point.monthlyCost, forecast.price)])));
			context.print(`Driven by: ${forecast.driver}.`);
			return;
		}

		const files = itemName === undefined ? repo.fileBytes() : undefined;
		const report = costReport(repo, {item: itemName, withFrees: context.flags['frees'] === true, files});
		if (context.json) {
			context.printJson(report);
			return;
		}

		const rows = report.items[0]?.rows;
		if (rows) {
			context.print(
				formatTable(
					['ID', 'TYPE', 'CREATED', 'OWNED', 'LOGICAL', 'STORED', 'CUMULATIVE', 'PER MONTH', ...(context.flags['frees'] === true ? ['FREES'] : [])],
					rows.map(row => [
						formatRecoveryPointId(row.id),
						row.type,
						row.createdAt.slice(0, 16).replace('T', ' '),
						String(row.ownedBlocks),
						formatBytes(row.logicalBytes),
						formatBytes(row.storedBytes),
						formatBytes(row.cumulativeStoredBytes),
						formatMoney(row.monthlyCost, report.price),
						...(row.freesBytes === undefined ? [] : [formatBytes(row.freesBytes)]),
					]),
				),
			);
		} else {
			context.print(formatTable(['ITEM', 'KIND', 'POINTS', 'OWNED', 'STORED', 'PER MONTH'], report.items.map(item => [item.item, item.kind, String(item.points), String(item.ownedBlocks), formatBytes(item.storedBytes), formatMoney(item.monthlyCost, report.price)])));
		}

		const {overhead} = report;
		if (overhead === undefined || report.repositoryBytes === undefined) {
			context.print(`Repository: ${formatBytes(report.total.storedBytes)} stored in ${report.total.points} recovery points, ${formatMoney(report.total.monthlyCost, report.price)} per month at ${report.price.perGibMonth} ${report.price.currency}/GiB-month`);
			return;
		}

		context.print(
			`Overhead: ${formatBytes(overhead.bytes)} (catalog ${formatBytes(overhead.catalogBytes)}, headers and unreferenced pack space ${formatBytes(overhead.unchargedPackBytes)}, other files ${formatBytes(overhead.otherBytes)}), ${formatMoney(overhead.monthlyCost, report.price)} per month`,
		);
		context.print(
			`Repository: ${formatBytes(report.repositoryBytes)} on disk (${formatBytes(report.total.storedBytes)} stored in ${report.total.points} recovery points, plus overhead), ${formatMoney(report.total.monthlyCost + overhead.monthlyCost, report.price)} per month at ${report.price.perGibMonth} ${report.price.currency}/GiB-month`,
		);
	},
});

export const churnCommand = defineCommand({
	name: 'churn',
	summary: 'What changed per recovery point and per disk, and the average daily churn',
	args: ['ITEM'],
	requiredArgs: 1,
	flags: {},
	run(context) {
		const report = churnReport(context.openRepository(), context.args[0]!);
		if (context.json) {
			context.printJson(report);
			return;
		}

		const percent = (share: number | null) => (share === null ? 'unknown' : `${(share * 100).toFixed(2)}%`);
		context.print(
			formatTable(
				['ID', 'TYPE', 'CREATED', 'CHANGED', 'BYTES', 'CHURN', 'PER DISK'],
				report.points.map(point => [
					formatRecoveryPointId(point.id),
					point.type,
					point.createdAt.slice(0, 16).replace('T', ' '),
					String(point.changedBlocks),
					point.changedBytes === null ? 'unknown' : formatBytes(point.changedBytes),
					percent(point.churn),
					point.disks.map(disk => `${disk.disk} ${percent(disk.churn)}`).join(', ') || '-',
				]),
			),
		);
		context.print(`Average daily churn: ${formatBytes(report.averageDailyChurnBytes.last7Days)} over 7 days, ${formatBytes(report.averageDailyChurnBytes.last30Days)} over 30 days`);
	},
});
