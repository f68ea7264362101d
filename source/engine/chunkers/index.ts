/**
 * Chunkers cut data into the pieces the object store keeps, each stored once by its hash.
 *
 * - block: a fixed-size piece of a volume's disk (fixed-blocks.ts); its index is a place on the disk, so a restore
 *   writes it back there and a block map needs no offsets. The block size is chosen per item when it is added.
 * - chunk: a piece of a stream such as pg_dump output, cut where the bytes nearby say (content-defined chunking,
 *   FastCDC: fastcdc.ts), so an insertion shifts only the chunks it touches and the rest still deduplicate.
 * - cut / offsets: where pieces end; offsets[i] to offsets[i + 1] is piece i of a batch.
 */
export * from './fixed-blocks.js';
export * from './fastcdc.js';
