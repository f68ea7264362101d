import {defineConfig} from 'vitest/config';

const allTests = ['test/**/*.test.ts', 'test/**/*.test.tsx'];
// Tests in test/cli/ that run the CLI in-process (runCli), not the build: unit tests beside the CLI's own.
const inProcessCliTests = ['run-cli'];
// What needs PostgreSQL, the built CLI or both: test/cli/ drives the CLI as a user would, *.pg.test.ts needs the
// PostgreSQL sandbox, *.e2e.test.ts(x) spawns the CLI (the console's end-to-end tests). Everything else is a unit test.
const integrationTests = [`test/cli/**/!(${inProcessCliTests.join('|')}).test.ts`, 'test/**/*.pg.test.ts', 'test/**/*.e2e.test.ts', 'test/**/*.e2e.test.tsx'];
const excluded = ['**/node_modules/**', 'dist/**', 'dist-check/**'];

export default defineConfig({
	test: {
		// Child processes, native modules (better-sqlite3) and process-wide state (env, cwd) are safest in forks.
		pool: 'forks',
		// Two files at a time: vitest's default on two cores is one worker, and the suite (319 tests, many spawning the
		// CLI, PostgreSQL and loop devices) then took 646 s serially against 446 s with two, its slowest test at 35 s.
		maxWorkers: 2,
		testTimeout: 60_000,
		hookTimeout: 60_000,
		teardownTimeout: 30_000,
		projects: [
			{
				extends: true,
				// No PostgreSQL and no build: `npx vitest run --project unit` runs in seconds on a bare checkout. The setup
				// bundles the codec worker from source, which the engine's worker threads run under vitest.
				test: {name: 'unit', include: allTests, exclude: [...excluded, ...integrationTests], globalSetup: ['test/worker-setup.ts']},
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: integrationTests,
					exclude: excluded,
					// Rebuilds a dist/ older than source/ (the CLI under test is the build), then starts one real PostgreSQL
					// cluster for the whole run (scripts/pg-sandbox) and stops it afterwards.
					globalSetup: ['test/worker-setup.ts', 'test/global-setup.ts'],
				},
			},
		],
	},
});
