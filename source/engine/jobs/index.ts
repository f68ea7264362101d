/**
 * Jobs: the long operations (backup, restore, verify, expire, gc). Each takes `{signal, onProgress}`, records itself in the
 * catalog's jobs table so other processes can follow it, and never prints.
 */
export * from './backup.js';
export * from './restore.js';
export * from './verify.js';
export * from './repair.js';
export * from './maintenance.js';
export {launchedByVariable} from './job-log.js';
