/**
 * What a restore is asked and what it tells, shared by the source kinds: the flags of every kind arrive together
 * (the CLI and the console have one restore command), and each kind refuses the flags of the others.
 */
import {UserError} from '../errors.js';
import type {Item, JobProgress} from '../model/index.js';
import type {CodecPool} from '../store/index.js';

/** The targets a user gave, of every kind: each kind takes its own and refuses the others'. */
export type RestoreRequest = {
	/** Volumes: the target file or folder. */
	to?: string | undefined;
	/** PostgreSQL: the database to restore into, or a file for the reassembled dump. */
	toDb?: string | undefined;
	toFile?: string | undefined;
	table?: string | undefined;
	disk?: string | undefined;
	force?: boolean | undefined;
};

/** A restore checked and decided before anything is written; `detail` is what its job row records. */
export type RestorePlan = {detail: Record<string, unknown>};

/** What a restore is told by the restore job. */
export type RestoreRunOptions = {
	signal?: AbortSignal | undefined;
	onProgress?: ((progress: JobProgress) => void) | undefined;
	/** A codec pool to reuse; otherwise one is started and closed for this restore. */
	pool?: CodecPool | undefined;
};

/** What a restore did: the disks it wrote, or the database or file it filled. */
export type RestoreOutcome = {
	written?: Array<{disk: string; path: string; size: number}>;
	database?: string;
	file?: string;
	bytes?: number;
	/** What a one-table restore did not bring (a foreign key without its target, large objects the dump lacks). */
	warnings?: string[];
};

/** Refuses, before anything is touched, target flags of another kind (--table for a volume, --to for a database). */
export function refuseForeignTargets(item: Item, request: RestoreRequest, foreign: ReadonlyArray<[keyof RestoreRequest, string]>, what: string, hint: string): void {
	const given = foreign.filter(([key]) => request[key] !== undefined).map(([, flag]) => flag);
	if (given.length === 0) return;
	throw new UserError('USAGE', `${given.join(' and ')} ${given.length === 1 ? 'does' : 'do'} not apply to ${what} item "${item.name}"`, {hint});
}
