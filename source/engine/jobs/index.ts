/**
 * Jobs: the long operations (backup, restore, verify). Each takes `{signal, onProgress}`, records itself in the
 * catalog's jobs table so other processes can follow it, and never prints.
 */
export * from './backup.js';
export * from './restore.js';
export * from './verify.js';
export * from './repair.js';
export {listJobs, getJob, reapDeadJobs} from './job-log.js';
