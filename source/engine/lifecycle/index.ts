/**
 * Lifecycle: what happens to recovery points after their backup. The decisions live here (what is due, what to
 * merge, what gc may delete); the SQL they run is in catalog/.
 *
 * - policy: a schedule (hourly, daily@HH:MM, weekly@DAY@HH:MM or cron, in a time zone) and retention rules.
 * - retention: how many daily, weekly, monthly and yearly points a policy keeps; a point's expiry is derived from it
 *   when read (retention.ts, pure), so a policy change applies to existing points at once. An on-demand point keeps
 *   its own retention (`retain_until`). An item's newest point never expires while the item exists.
 * - due: a point whose expiry has passed, for an active item.
 * - merge: how a due point expires. Its children (the points whose base it is) take the block-map entries they did
 *   not overwrite (moved to the first, copied to others), a child of an expiring full becomes a full, and the
 *   objects it paid for are charged to the oldest point still using them. So every surviving point still restores
 *   byte for byte and each entry stays owned by exactly one point.
 * - tombstone: an entry saying a block became zero; a merge drops it where no base remains to contradict.
 * - frees: the stored bytes expiring a point now would release (objects only its doomed entries, or only its recipe, use).
 * - pin: a live restore's claim on a point: a due pinned point is kept for the next run, and gc does not repack.
 * - protection: active; stopped with data retained (nothing expires); or stopped with data deleted, a soft delete
 *   that `undelete` reverses for 14 days, after which the item is purged with its points.
 * - gc: deletes objects nothing references, pack files a killed writer left pending (never a pack no one accounts
 *   for), and repacks packs whose live share fell below half; under the exclusive side of the writers' gate.
 * - what-if (simulate): the expiries and savings other retention would bring, computed on an in-memory copy.
 */
export * from './policies.js';
export * from './schedule.js';
export * from './retention.js';
export * from './expire.js';
export * from './merge.js';
export * from './protection.js';
export * from './gc.js';
export * from './simulate.js';
