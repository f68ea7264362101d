/**
 * The engine's public surface: the CLI and the console import from here only.
 * Nothing in the engine imports from cli/ or tui/, prints, or exits.
 */
export * from './errors.js';
export * from './clock.js';
export * from './model/index.js';
export * from './repository.js';
export * from './lock.js';
export * from './items.js';
export {migrate, catalogVersion} from './catalog/migrations.js';
export * from './points.js';
export * from './jobs/index.js';
export {requireItem} from './catalog/items.js';
