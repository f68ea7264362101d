import {upgradeRepository} from '../../engine/index.js';
import {defineCommand} from '../command.js';

export const upgradeCommand = defineCommand({
	name: 'upgrade',
	summary: 'Upgrade a repository of an older format (2) to the one this Strata writes (3)',
	args: [],
	flags: {},
	details:
		'Rewrites every pack in format 3 (an index at the end of each, no header per object), writes every recovery point\'s manifest and the repository\'s state into the packs, and marks the repository format 3 last. Killed, it can simply be run again.',
	run(context) {
		const report = upgradeRepository(context.repositoryPath);
		if (context.json) context.printJson(report);
		else if (report.from === report.to) context.print(`${report.path} is already format ${report.to}; nothing to upgrade`);
		else context.print(`Upgraded ${report.path} from format ${report.from} to ${report.to}: ${report.rewrittenPacks} pack(s) rewritten, ${report.movedObjects} object(s) moved, ${report.describedPoints} recovery point(s) described`);
	},
});
