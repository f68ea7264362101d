/**
 * PostgreSQL databases as a source kind: pg_dump's custom format cut into content-defined chunks, each point a whole
 * recipe; restored with pg_restore | psql into a database (or one table of it), or written out as the dump.
 * backup.ts and restore.ts are loaded when first used: they pull in execa, ~100 ms of start-up that every volume
 * command would otherwise pay.
 */
import {type PostgresItem, type RecoveryPoint} from '../../model/index.js';
import type {Repository} from '../../repository.js';
import {type BackupPlan, type CaptureOptions, planBackup} from '../backup-plan.js';
import {counted, pointLead} from '../describe.js';
import {refuseForeignTargets, type RestoreOutcome, type RestoreRequest, type RestoreRunOptions} from '../restore-plan.js';
import type {PostgresRestorePlan} from './restore.js';

/** The PostgreSQL kind: the registry in sources/index.ts holds it to the Source interface. */
export const postgresSource = {
	planBackup,
	async capture(repo: Repository, item: PostgresItem, plan: BackupPlan, options: CaptureOptions): Promise<RecoveryPoint> {
		const {backupPostgres} = await import('./backup.js');
		return backupPostgres(repo, item, plan, options);
	},
	async planRestore(repo: Repository, item: PostgresItem, point: RecoveryPoint, request: RestoreRequest): Promise<PostgresRestorePlan> {
		refuseForeignTargets(item, request, [['to', '--to'], ['disk', '--disk']], 'PostgreSQL', 'Restore a database with --to-db NAME or --to-file PATH');
		const {planPostgresRestore} = await import('./restore.js');
		return planPostgresRestore(repo, item, point, request);
	},
	async restore(repo: Repository, item: PostgresItem, point: RecoveryPoint, plan: PostgresRestorePlan, options: RestoreRunOptions): Promise<RestoreOutcome> {
		const {restorePostgres} = await import('./restore.js');
		return restorePostgres(repo, item, point, plan, options);
	},
	describeItem: (item: PostgresItem): string => `postgres:${item.postgres.database}`,
	describePoint(point: RecoveryPoint, bytes: (count: number) => string): string {
		const {databaseBytes, serverVersion, dumpBytes} = point.meta;
		const version = typeof serverVersion === 'string' && serverVersion !== '' ? `PostgreSQL ${serverVersion.split(' ')[0]}` : 'server version unknown';
		const size = typeof databaseBytes === 'number' ? `database ${bytes(databaseBytes)}` : 'database size unknown';
		return `${pointLead(point)}: ${version}, ${size}, dump ${bytes(Number(dumpBytes ?? 0))}, ${counted(point.changedBlocks, 'chunk')} changed`;
	},
};
