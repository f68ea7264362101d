import {formatRecoveryPointId, listPoints, type RecoveryPoint} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {formatBytes, formatTable} from '../output.js';

/** The JSON row of a recovery point, shared by `points --json` and `backup --json`. */
export function pointJson(point: RecoveryPoint) {
	return {
		id: point.id,
		item: point.item,
		type: point.type,
		trigger: point.trigger,
		baseId: point.baseId ?? null,
		createdAt: point.createdAt,
		expiresAt: point.expiresAt ?? null,
		ownedBlocks: point.ownedBlocks,
		changedBlocks: point.changedBlocks,
		logicalBytes: point.logicalBytes,
		storedBytes: point.storedBytes,
		disks: point.disks,
		...(point.meta['dumpBytes'] === undefined ? {} : {ownedChunks: point.ownedBlocks, changedChunks: point.changedBlocks}),
		...point.meta,
	};
}

export const pointsCommand = defineCommand({
	name: 'points',
	summary: 'List the recovery points of an item',
	args: ['ITEM'],
	requiredArgs: 1,
	flags: {},
	run(context) {
		const [itemName] = context.args as [string];
		const points = listPoints(context.openRepository(), itemName);
		if (context.json) {
			context.printJson(points.map(point => pointJson(point)));
			return;
		}

		if (points.length === 0) {
			context.print(`No recovery points for ${itemName} yet. Take one with \`strata backup ${itemName}\`.`);
			return;
		}

		const database = points.some(point => point.meta['dumpBytes'] !== undefined);
		context.print(
			formatTable(
				['ID', 'TYPE', 'TRIGGER', 'CREATED', 'EXPIRES', 'OWNED', 'CHANGED', 'LOGICAL', 'STORED', ...(database ? ['DB SIZE', 'SERVER'] : [])],
				points.map(point => [
					formatRecoveryPointId(point.id),
					point.type,
					point.trigger,
					point.createdAt.replace('T', ' ').slice(0, 19),
					point.expiresAt ? point.expiresAt.replace('T', ' ').slice(0, 16) : '-',
					String(point.ownedBlocks),
					String(point.changedBlocks),
					formatBytes(point.logicalBytes),
					formatBytes(point.storedBytes),
					...(database ? [formatBytes(Number(point.meta['databaseBytes'] ?? 0)), String(point.meta['serverVersion'] ?? '-')] : []),
				]),
			),
		);
	},
});
