/**
 * Accounting: what recovery points cost and how items change.
 *
 * - owned blocks (chunks): the block-map entries (dump chunks) a point introduced and pays for.
 * - logical bytes: the uncompressed bytes of what a point owns; stored bytes: the compressed bytes of the objects it
 *   was charged for (each object is charged to exactly one point, so stored bytes add up to the live pack data).
 * - cumulative: stored bytes of an item's points up to and including this one, in creation order.
 * - churn: the blocks and bytes that changed since the previous point, and their share of the data the item held.
 * - money: stored GiB times the repository's price per GiB-month, in its currency.
 * - frees: what expiring a point now would release (lifecycle/merge.ts computes it: accounting reads lifecycle, never
 *   the other way).
 * - forecast: stored bytes and money over the coming days, from the average daily churn of the last 30 days, the
 *   item's compression and how many days its policy keeps points.
 * Every figure comes from aggregates kept at commit and merge time (read through catalog/accounting.ts), with
 * indexed queries, never from walking block maps.
 */
export * from './cost.js';
export * from './churn.js';
export * from './forecast.js';
