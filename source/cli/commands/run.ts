import {formatRecoveryPointId, now, runDaemon, runOnce, type RunReport} from '../../engine/index.js';
import {defineCommand} from '../command.js';

function describe(report: RunReport): string[] {
	const lines = report.backups.map(backup => (backup.error !== undefined || backup.rpId === undefined ? `backup ${backup.item} failed: ${backup.error}` : `backup ${backup.item}: ${formatRecoveryPointId(backup.rpId)}`));
	if (report.expired.length > 0) lines.push(`expired ${report.expired.map(point => `${point.item} ${formatRecoveryPointId(point.id)}`).join(', ')}`);
	for (const point of report.kept) lines.push(`kept ${point.item} ${formatRecoveryPointId(point.id)} (being restored by ${point.pinnedBy}); it expires on the next run`);
	if (report.purged.length > 0) lines.push(`purged ${report.purged.join(', ')}`);
	return lines;
}

export const runCommand = defineCommand({
	name: 'run',
	summary: 'Run the scheduler: backups that are due, expiry, purges and gc',
	args: [],
	flags: {once: {type: 'boolean', description: 'Run what is due now and exit (for cron)'}},
	details: 'Without --once it runs until SIGTERM or SIGINT; a running backup then finishes or rolls back.',
	async run(context) {
		const repo = context.openRepository();
		if (context.flags['once'] === true) {
			const report = await runOnce(repo, {signal: context.signal, onWait: context.note});
			if (context.json) context.printJson(report);
			else for (const line of describe(report)) context.print(line);
			return report.backups.some(backup => backup.error) ? 1 : 0;
		}

		await runDaemon(repo, {
			signal: context.signal,
			onWait: context.note,
			onReport(report) {
				for (const line of describe(report)) context.print(`${now().toISOString()} ${line}`);
			},
		});
		return 0;
	},
});
