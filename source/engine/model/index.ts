/**
 * The vocabulary of Strata, with no I/O.
 *
 * - item: what is protected: a volume (one or more disks, each a file or block device) or a PostgreSQL database.
 * - disk: one source file or device of a volume item, cut into fixed-size blocks.
 * - recovery point (RP): a read-only capture of an item at one instant. The first is a full; later ones are
 *   incremental (changes since the previous RP) or differential (changes since the last full).
 * - block-map entry: (RP, disk, block index) -> object. An RP owns the entries it introduced; restoring an RP resolves
 *   each block index through its chain: its own entries, then its base's, down to the full.
 * - object: block or chunk contents, content-addressed by the BLAKE3 hash of its plaintext, stored once, in a pack.
 * - pack: an append-only file of objects, written whole, fsynced, then named in the catalog.
 */
export * from './ids.js';
export * from './types.js';
export * from './objects.js';
export * from '../text.js';
