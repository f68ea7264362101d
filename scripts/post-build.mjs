// Marks the CLI entry executable after tsc, so `npm link` and the bin shim can run it directly.
import {chmodSync, existsSync} from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);
