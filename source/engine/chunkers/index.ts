/**
 * Chunkers cut data into the pieces the object store keeps. Volumes use fixed blocks (a block index is a place on the
 * disk); streams such as pg_dump output use content-defined chunks (a boundary is a property of nearby bytes).
 */
export * from './fastcdc.js';
