/**
 * Jobs: the long operations (backup, restore, verify, repair, expire, gc, purge), each run through withJob. Terms:
 * - job: one run of a long operation, recorded as a row of the catalog's jobs table (kind, item, status, progress,
 *   result or error) so other processes follow it; `strata jobs` and the console's Jobs pane read these rows. A dry
 *   run is no job, and a read-only repository records none (the operation runs and reports all the same).
 * - trigger: why a job ran: 'on-demand' (typed, or started from the console) or 'scheduled' (`strata run`).
 * - progress: done and total bytes (with rate, ETA and phase) the operation reports through the onProgress withJob
 *   hands it; written to the row at most once a second; a finished job shows all of its total done.
 * - detached: a job the console starts as a `strata` process of its own session, outliving the console; nobody
 *   reads its output, so its row (and a refusal recorded there) is how the console learns how it went.
 * Jobs take `{signal, onProgress}` and never print.
 */
export * from './backup.js';
export * from './restore.js';
export * from './verify.js';
export * from './repair.js';
export * from './maintenance.js';
export {launchedByVariable} from './job-log.js';
export * from './rebuild.js';
export * from './upgrade.js';
