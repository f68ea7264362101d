/**
 * The engine's public surface: the CLI and the console import from here only.
 * Nothing in the engine imports from cli/ or tui/, prints, or exits.
 */
export * from './errors.js';
export * from './clock.js';
export * from './model/index.js';
export * from './repository.js';
export * from './read-only.js';
export {isProcessAlive, readLockHolder, type Lock, type LockHolder, type LockOptions} from './lock.js';
export * from './unlock.js';
export * from './items.js';
export {migrate, catalogVersion} from './catalog/migrations.js';
export * from './points.js';
export * from './jobs/index.js';
export {type SettingsChange} from './catalog/items.js';
export * from './reads.js';
export * from './lifecycle/policies.js';
export {toCronExpression, nextSlot, latestSlot} from './lifecycle/schedule.js';
export * from './lifecycle/expire.js';
export {expiryTimes} from './lifecycle/retention.js';
export * from './lifecycle/protection.js';
export {collectGarbage, type GcResult} from './lifecycle/gc.js';
export * from './scheduler.js';
export {CodecPool} from './store/index.js';
export {assertPlainDatabaseName} from './sources/postgres/connection.js';
export {describeItem, describePoint} from './sources/index.js';
export * from './settings.js';
export * from './lifecycle/simulate.js';
export * from './accounting/index.js';
