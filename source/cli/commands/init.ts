import {Repository} from '../../engine/index.js';
import {defineCommand} from '../command.js';

export const initCommand = defineCommand({
	name: 'init',
	summary: 'Create a new repository',
	args: [],
	flags: {},
	details: 'Creates the repository folder (--repo, STRATA_REPO or the default) with its catalog and pack store.',
	examples: ['strata --repo /srv/backup init'],
	run(context) {
		const repo = Repository.init(context.repositoryPath);
		repo.close();
		if (context.json) context.printJson({path: repo.path, format: repo.config.format, id: repo.config.id});
		else context.print(`Created repository ${repo.path}`);
	},
});
