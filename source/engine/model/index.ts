/**
 * The vocabulary of Strata, with no I/O: plain types (types.ts, objects.ts) and ids as people type them (ids.ts).
 *
 * - item: what is protected, one variant per source kind: a VolumeItem (one or more disks, each a file or block
 *   device) or a PostgresItem (a database). `kind` tells them apart and names the folder in sources/ that backs it up.
 * - disk: one source file or device of a volume item, cut into fixed-size blocks.
 * - recovery point (RP): a read-only capture of an item at one instant. The first is a full; later ones are
 *   incremental (changes since the previous RP) or differential (changes since the last full).
 * - base: the point a new one is stored against (an incremental's is the previous point, a differential's the last
 *   full).
 * - block-map entry: (RP, disk, block index) -> object. An RP owns the entries it introduced; restoring an RP resolves
 *   each block index through its chain: its own entries, then its base's, down to the full.
 * - recipe: a dump point's ordered list of chunks; each point has its whole recipe.
 * - object: block or chunk contents, content-addressed by the BLAKE3 hash of its plaintext, stored once, in a pack;
 *   its location is (pack, offset, stored length) and its codec says how its bytes are stored.
 * - pack: an append-only file of objects, written whole, fsynced, then named in the catalog.
 */
export * from './ids.js';
export * from './types.js';
export * from './objects.js';
export * from '../text.js';
