/**
 * Recording what a job found damaged. Marking is a write: every mark, clear and forgotten repair goes through
 * `writable` here, so a repository opened read-only (restores from read-only media) skips them and still reports.
 */
import {existsSync} from 'node:fs';
import {checkQueries, type Findings} from '../catalog/checks.js';
import {now} from '../clock.js';
import {DamagedDataError} from '../errors.js';
import type {Repository} from '../repository.js';
import {packPath} from '../store/index.js';

function writable(repo: Repository): boolean {
	return !repo.readOnly;
}

/** Marks objects verify found damaged, clears those it found whole again, forgets repairs it has reported. */
export function recordVerifyFindings(repo: Repository, findings: Findings): void {
	if (!writable(repo)) return;
	// A clean verify writes nothing.
	if (findings.damaged.length + findings.intactAgain.length + findings.reported.length === 0) return;
	checkQueries(repo).recordFindings(findings, now().toISOString());
}

/** Marks what a failed restore met (a damaged object, or every object of a pack that is gone), so the next backup stores it again. */
export function recordRestoreDamage(repo: Repository, error: unknown): void {
	// The damage may arrive wrapped (a PostgreSQL restore reports its feeder's failure as its own cause).
	let found = error;
	for (let depth = 0; depth < 5 && found !== undefined && !(found instanceof DamagedDataError); depth++) found = (found as {cause?: unknown}).cause;
	if (!(found instanceof DamagedDataError) || !writable(repo)) return;
	const {hash, pack, problem, packUnreadable} = found.damage;
	try {
		// A truncated pack still holds the objects before its end; one that is gone holds none.
		const packGone = packUnreadable && !existsSync(packPath(repo.packsDir, pack));
		checkQueries(repo).markDamagedByHash(hash, problem, packGone, now().toISOString());
	} catch {
		// The restore's own error is what the user must see; a mark that could not be written is found again by verify.
	}
}
