/**
 * Under vitest the engine runs from its TypeScript source, which a worker thread cannot load. Global setup bundles
 * the codec worker's source afresh for every run (esbuild, which tsx and vite bring) and names the bundle in
 * codecWorkerVariable for store/codec-pool.ts: a worker starts as fast as from dist/ and never runs a stale build.
 */
import {mkdirSync, renameSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {projectRoot} from './build.js';

export const codecWorkerVariable = 'STRATA_CODEC_WORKER_BUNDLE';

/** Bundles source/engine/store/codec-worker.ts (packages stay imports) and sets codecWorkerVariable to its URL. */
export async function bundleCodecWorker(): Promise<void> {
	// Inside node_modules, so the bundle's imports of zstd-napi and blake-hash resolve as the source's do.
	const folder = join(projectRoot, 'node_modules', '.cache', 'strata-test');
	mkdirSync(folder, {recursive: true});
	const file = join(folder, 'codec-worker.mjs');
	// Both projects' setups may run at once: each writes its own file and renames it into place.
	const written = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
	await build({entryPoints: [join(projectRoot, 'source/engine/store/codec-worker.ts')], outfile: written, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning'});
	renameSync(written, file);
	process.env[codecWorkerVariable] = pathToFileURL(file).href;
}
