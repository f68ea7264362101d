/**
 * Volumes as a source kind: disks (files or block devices) cut into fixed blocks, each point a block map against its
 * base, restored to files or in place onto devices. Freeze and thaw hooks, in-use and change checks: see backup.ts.
 */
import {UserError} from '../../errors.js';
import {type RecoveryPoint, type VolumeItem} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {planBackup} from '../backup-plan.js';
import {counted, pointLead} from '../describe.js';
import {refuseForeignTargets, type RestoreOutcome, type RestorePlan, type RestoreRequest, type RestoreRunOptions} from '../restore-plan.js';
import {backupVolume} from './backup.js';
import {restoreVolume} from './restore.js';
import {planVolumeTargets, type RestoreTarget} from './restore-targets.js';

type VolumeRestorePlan = RestorePlan & {targets: RestoreTarget[]};

/** The volume kind: the registry in sources/index.ts holds it to the Source interface. */
export const volumeSource = {
	planBackup,
	capture: backupVolume,
	async planRestore(repo: Repository, item: VolumeItem, point: RecoveryPoint, request: RestoreRequest): Promise<VolumeRestorePlan> {
		refuseForeignTargets(item, request, [['toDb', '--to-db'], ['toFile', '--to-file'], ['table', '--table']], 'volume', 'Restore a volume with --to PATH (and --disk NAME for one of its disks)');
		if (request.to === undefined) throw new UserError('USAGE', `restoring volume item "${item.name}" needs --to PATH`, {hint: 'See `strata restore --help`'});
		const targets = planVolumeTargets(repo, item, point, {...request, to: request.to});
		return {detail: {rpId: point.id, to: request.to}, targets};
	},
	async restore(repo: Repository, item: VolumeItem, point: RecoveryPoint, plan: VolumeRestorePlan, options: RestoreRunOptions): Promise<RestoreOutcome> {
		return {written: await restoreVolume(repo, item, point, plan.targets, options)};
	},
	describeItem: (item: VolumeItem): string => item.disks.map(disk => disk.path).join(', '),
	describePoint(point: RecoveryPoint, bytes: (count: number) => string): string {
		const disks = point.disks.map(disk => `${disk.name} ${bytes(disk.size)}`).join(', ');
		return `${pointLead(point)}: ${disks}, ${counted(point.changedBlocks, 'block')} changed`;
	},
};
