/**
 * The catalog: every SQL statement of Strata, in one SQLite database (WAL mode) migrated by PRAGMA user_version.
 * Code above it (lifecycle/, accounting/, jobs/, sources/) calls these named, typed functions with the Repository
 * (a `CatalogHandle`) and never holds the SQLite connection; `inTransaction` makes several calls one commit.
 *
 * - item: what is protected (a volume of disks, or a PostgreSQL database), with its policy and protection state.
 * - recovery point (RP): one backup of an item; `base` is the point it was taken against (none for a full), and
 *   its chain runs base by base down to the full.
 * - block-map entry: (point, disk, block index) -> object. A point owns the entries it introduced; restoring it
 *   resolves each block through its chain. A tombstone is an entry with no object: the block became zero (or fell
 *   off a shrunk disk) since the base.
 * - recipe: a dump point's ordered list of chunks, complete in itself (no chain to resolve).
 * - object: a block or chunk stored once, named by its hash, at an offset in a pack; charged to exactly one point
 *   (the one that pays for its stored bytes), or to none when nothing needs it any more: garbage for gc.
 * - pack: a file of objects the catalog names once it is durable. A pending pack is one a live (or killed) process
 *   is writing or deleting and no pack row names: gc tells a killed writer's garbage from a lost point's data by it.
 * - aggregates: owned blocks, logical and stored bytes, changed blocks and bytes per point and per disk, kept at
 *   commit and merge time so accounting reads sums, never block maps.
 * - pin: a live restore's claim on a point (pid, host): expire leaves the point and gc does not repack meanwhile.
 * - damage mark: an object verify or a restore found damaged; never deduplicated against until a fresh copy heals it.
 * - commit counter: how many data-changing commits the catalog holds, mirrored in `catalog.commits` to notice a
 *   lost WAL.
 * - settings: repository-wide values in the meta table (the storage price and its currency).
 */
export * from './connection.js';
export * from './open.js';
export * from './migrations.js';
export * from './commits.js';
export * from './items.js';
export * from './policies.js';
export * from './points.js';
export * from './recipes.js';
export * from './objects.js';
export * from './packs.js';
export * from './pending-packs.js';
export * from './pins.js';
export * from './damage.js';
export * from './point-needs.js';
export * from './merge.js';
export * from './accounting.js';
export * from './settings.js';
export * from './manifests.js';
