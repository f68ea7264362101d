/** The hints shown above the dashboard while the repository has no item or no policy. */
import type {Snapshot} from './data/snapshot.js';

/** One line each on how to start, shown while the repository has no item or no policy. */
export function gettingStarted(snapshot: Snapshot, strata = 'strata'): string[] {
	return [
		...(snapshot.items.length === 0 ? [`Add an item:  ${strata} item add NAME --volume PATH (or --postgres DBNAME)`] : []),
		...(snapshot.policies.length === 0 ? [`Add a policy: ${strata} policy add NAME --schedule daily@02:30 --retain-daily 7`] : []),
	];
}
