import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		exclude: ['**/node_modules/**', 'dist/**', 'dist-check/**'],
		// One real PostgreSQL cluster for the whole run, started and stopped by scripts/pg-sandbox.
		globalSetup: ['test/global-setup.ts'],
		// Child processes, native modules (better-sqlite3) and process-wide state (env, cwd) are safest in forks.
		pool: 'forks',
		testTimeout: 60_000,
		hookTimeout: 60_000,
		teardownTimeout: 30_000,
	},
});
