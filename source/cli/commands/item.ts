import {addPostgresItem, addVolumeItem, assertPlainDatabaseName, describeItem, getPolicy, type Item, listItems, removeItem, setItemPolicy, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {integerFlag, listFlag, stringFlag} from '../flags.js';
import {formatTable} from '../output.js';

/** The JSON shape of an item, shared by `item list --json` and `item add --json`. */
export function itemJson(item: Item) {
	return {
		name: item.name,
		kind: item.kind,
		state: item.state,
		policy: item.policy ?? null,
		blockSize: item.blockSize,
		createdAt: item.createdAt,
		allowLive: item.kind === 'volume' && item.allowLive,
		sources: item.kind === 'volume' ? item.disks.map(disk => ({disk: disk.name, path: disk.path})) : [{database: item.postgres.database}],
		...(item.kind === 'postgres' ? {postgres: item.postgres} : {}),
	};
}

function describeSources(item: Item): string {
	return describeItem(item);
}

export const itemAddCommand = defineCommand({
	name: 'item add',
	summary: 'Protect a volume (files or block devices) or a PostgreSQL database',
	args: ['NAME'],
	requiredArgs: 1,
	flags: {
		volume: {type: 'string', isMultiple: true, value: 'PATH', description: 'A disk of a volume item (repeat for several disks)'},
		blockSize: {type: 'string', value: 'BYTES', description: 'Block size of a volume item, a power of two from 4096 to 1048576 (default 16384)'},
		freezeCmd: {type: 'string', value: 'CMD', description: 'Shell command run before reading the disks (e.g. fsfreeze -f /mnt)'},
		thawCmd: {type: 'string', value: 'CMD', description: 'Shell command run after reading, also when the read fails'},
		allowLive: {type: 'boolean', description: 'Read block devices even while mounted or in use, without a freeze command (the copy may be inconsistent)'},
		postgres: {type: 'string', value: 'DBNAME', description: 'Protect this PostgreSQL database instead'},
		pgHost: {type: 'string', value: 'HOST', description: 'PostgreSQL host or socket folder (else PGHOST)'},
		pgPort: {type: 'string', value: 'PORT', description: 'PostgreSQL port (else PGPORT)'},
		pgUser: {type: 'string', value: 'USER', description: 'PostgreSQL user (else PGUSER); passwords come from PGPASSFILE or a service file'},
		pgService: {type: 'string', value: 'NAME', description: 'A libpq service name (else PGSERVICE)'},
		policy: {type: 'string', value: 'POLICY', description: 'Put the item under this policy (schedule and retention)'},
	},
	examples: ['strata item add vm1 --volume /dev/vg0/vm1 --volume /srv/vm1-data.img', 'strata item add shop --postgres shop --pg-host /run/postgresql'],
	run(context) {
		const [name] = context.args as [string];
		const volumes = listFlag(context.flags, 'volume');
		const database = stringFlag(context.flags, 'postgres');
		if (volumes.length > 0 && database !== undefined) {
			throw new UsageError('USAGE', 'an item is either a volume or a PostgreSQL database, not both', {hint: 'Give --volume or --postgres'});
		}

		if (volumes.length === 0 && database === undefined) {
			throw new UsageError('USAGE', 'item add needs --volume PATH or --postgres DBNAME', {hint: 'See `strata item add --help`'});
		}

		// Before anything is stored: a connection string given as the name could carry a password.
		if (database !== undefined) assertPlainDatabaseName(database, '--postgres');
		const allowLive = context.flags['allowLive'] === true;
		if (database !== undefined && allowLive) throw new UsageError('USAGE', '--allow-live applies to volume items, not to a PostgreSQL database', {hint: 'Leave out --allow-live'});
		const repo = context.openRepository();
		const policy = stringFlag(context.flags, 'policy');
		// Checked before the item is added, so a wrong policy name leaves nothing half-done.
		if (policy !== undefined) getPolicy(repo, policy);
		let item: Item;
		if (database === undefined) {
			const freezeCmd = stringFlag(context.flags, 'freezeCmd');
			const thawCmd = stringFlag(context.flags, 'thawCmd');
			const blockSize = integerFlag(context.flags, 'blockSize', {min: 4096, max: 1_048_576});
			item = addVolumeItem(repo, {
				name,
				volumes,
				...(blockSize === undefined ? {} : {blockSize}),
				...(freezeCmd === undefined ? {} : {freezeCmd}),
				...(thawCmd === undefined ? {} : {thawCmd}),
				allowLive,
			});
		} else {
			const host = stringFlag(context.flags, 'pgHost');
			const port = integerFlag(context.flags, 'pgPort', {min: 1, max: 65_535});
			const user = stringFlag(context.flags, 'pgUser');
			const service = stringFlag(context.flags, 'pgService');
			item = addPostgresItem(repo, name, {
				database,
				...(host === undefined ? {} : {host}),
				...(port === undefined ? {} : {port}),
				...(user === undefined ? {} : {user}),
				...(service === undefined ? {} : {service}),
			});
		}

		if (policy !== undefined) item = setItemPolicy(repo, item.name, policy);
		if (context.json) context.printJson(itemJson(item));
		else context.print(`Added ${item.kind} item ${item.name} (${describeSources(item)})`);
	},
});

export const itemListCommand = defineCommand({
	name: 'item list',
	summary: 'List the protected items',
	args: [],
	flags: {},
	run(context) {
		const items = listItems(context.openRepository());
		if (context.json) {
			context.printJson(items.map(item => itemJson(item)));
			return;
		}

		if (items.length === 0) {
			context.print('No items yet. Add one with `strata item add NAME --volume PATH`.');
			return;
		}

		context.print(formatTable(['NAME', 'KIND', 'STATE', 'POLICY', 'LIVE', 'SOURCES'], items.map(item => [item.name, item.kind, item.state, item.policy ?? '-', item.kind === 'volume' && item.allowLive ? 'allowed' : '-', describeSources(item)])));
	},
});

export const itemRemoveCommand = defineCommand({
	name: 'item remove',
	summary: 'Remove an item that has no recovery points',
	args: ['NAME'],
	requiredArgs: 1,
	flags: {},
	run(context) {
		const [name] = context.args as [string];
		removeItem(context.openRepository(), name);
		if (context.json) context.printJson({removed: name});
		else context.print(`Removed item ${name}`);
	},
});
