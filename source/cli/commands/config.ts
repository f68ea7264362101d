import {getPrice, setSettings, UsageError} from '../../engine/index.js';
import {defineCommand} from '../command.js';
import {stringFlag} from '../flags.js';

export const configSetCommand = defineCommand({
	name: 'config set',
	summary: 'Set a repository setting (price-per-gib-month, currency)',
	args: ['KEY', 'VALUE'],
	requiredArgs: 2,
	flags: {currency: {type: 'string', value: 'CODE', description: 'With price-per-gib-month: the currency of the price (e.g. USD, EUR)'}},
	examples: ['strata config set price-per-gib-month 0.0224 --currency USD'],
	run(context) {
		const [key, value] = context.args as [string, string];
		const currency = stringFlag(context.flags, 'currency');
		if (currency !== undefined && key !== 'price-per-gib-month') {
			throw new UsageError('USAGE', '--currency goes with price-per-gib-month', {hint: 'Or set it alone: `strata config set currency EUR`'});
		}

		const repo = context.openRepository();
		setSettings(repo, {key, value, ...(currency === undefined ? {} : {currency})});
		const price = getPrice(repo);
		if (context.json) context.printJson(price);
		else context.print(`Storage price: ${price.perGibMonth} ${price.currency} per GiB-month`);
	},
});

export const configGetCommand = defineCommand({
	name: 'config get',
	summary: 'Show the repository settings',
	args: [],
	flags: {},
	run(context) {
		const price = getPrice(context.openRepository());
		if (context.json) context.printJson(price);
		else context.print(`price-per-gib-month  ${price.perGibMonth}\ncurrency             ${price.currency}`);
	},
});
