import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		exclude: ['**/node_modules/**', 'dist/**', 'dist-check/**'],
		// One real PostgreSQL cluster for the whole run, started and stopped by scripts/pg-sandbox.
		globalSetup: ['test/global-setup.ts'],
		// Child processes, native modules (better-sqlite3) and process-wide state (env, cwd) are safest in forks.
		pool: 'forks',
		// Two files at a time: vitest's default on two cores is one worker, and the suite (319 tests, many spawning the
		// CLI, PostgreSQL and loop devices) then took 646 s serially against 446 s with two, its slowest test at 35 s.
		maxWorkers: 2,
		testTimeout: 60_000,
		hookTimeout: 60_000,
		teardownTimeout: 30_000,
	},
});
