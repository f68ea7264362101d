/** Global setup of both projects: the codec worker, bundled afresh from source (test/helpers/worker-bundle.ts). */
import {bundleCodecWorker} from './helpers/worker-bundle.js';

export default async function setup() {
	await bundleCodecWorker();
}
