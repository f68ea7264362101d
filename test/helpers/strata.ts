/** Shorthands over runStrata for tests that drive one repository through many commands. */
import {expect} from 'vitest';
import {runStrata} from './cli.js';

export type PointRow = {id: number; type: string; trigger: string; ownedBlocks: number; changedBlocks: number; storedBytes: number; createdAt: string; expiresAt: string | null};

/** A CLI bound to one repository (and optionally a simulated time); each call must succeed. */
export function strataFor(repo: string) {
	const run = async (args: string[], now?: string) => {
		const result = await runStrata(['--repo', repo, ...args], now === undefined ? {} : {env: {STRATA_NOW: now}});
		expect(result.exitCode, `strata ${args.join(' ')}: ${result.stderr}`).toBe(0);
		return result.stdout;
	};

	return {
		run,
		async points(item: string): Promise<PointRow[]> {
			return JSON.parse(await run(['points', item, '--json'])) as PointRow[];
		},
		async backup(item: string, now?: string, ...flags: string[]): Promise<PointRow> {
			return JSON.parse(await run(['backup', item, '--json', ...flags], now)) as PointRow;
		},
	};
}
