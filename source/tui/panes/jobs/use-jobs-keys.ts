/** The Jobs pane's keys, while it has focus: Enter in the zoomed pane opens the job's full record. */
import type {Job} from '../../../engine/index.js';
import type {KeyContext} from '../../hooks/use-keys.js';
import {useListKeys} from '../use-list-keys.js';

/** Wires the Jobs pane's keys over the jobs it shows, in order. */
export function useJobsKeys(context: KeyContext, jobs: Job[]): void {
	useListKeys(context, 'jobs', {
		size: jobs.length,
		open(index) {
			const job = jobs[index];
			if (job) context.open({kind: 'job', jobId: job.id});
		},
	});
}
