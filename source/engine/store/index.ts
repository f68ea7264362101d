/**
 * The object store: content-addressed objects (blocks of volumes, chunks of dumps) in pack files.
 *
 * - object: the plaintext of a block or chunk, named by its BLAKE3 hash, stored once per repository.
 * - pack: an append-only file of objects; durable (fsynced and renamed into packs/) before the catalog names it.
 * - codec: how an object's bytes are stored (raw, or zstd when that is smaller), named in each object's header.
 * - codec pool: worker threads that hash, compress and decompress, so both cores work.
 * - written objects: what one backup wrote, held compactly until its commit names them in the catalog.
 * - durable: fsynced, and for a new or renamed file its folder fsynced too (file-writes.ts); only then may the
 *   catalog name it.
 * - direct read: a block device read with O_DIRECT, past stale pages of its cache (direct-read.ts).
 * - holes: a sparse file's ranges with no data, found with SEEK_DATA/SEEK_HOLE and never read (holes.ts).
 *
 * The object types the catalog shares (codec, location, written object and pack) live in model/objects.ts.
 */
export * from './format.js';
export * from './pack-writer.js';
export * from './pack-reader.js';
export * from './codec-pool.js';
export * from './codec-protocol.js';
export * from './file-writes.js';
export * from './direct-read.js';
export * from './apparent-size.js';
export * from './holes.js';
export * from './manifest.js';
export * from './manifest-writer.js';
