/** Repository settings kept in the catalog: the storage price used for cost figures, and its currency. */
import type {CatalogHandle} from './catalog/connection.js';
import {currencyKey, pricePerGibMonthKey, putSetting} from './catalog/settings.js';
import {UserError} from './errors.js';

/** The price setting and what it costs are read in catalog/settings.ts, where accounting and lifecycle find them. */
export {currencyKey, getPrice, monthlyCost, type Price, pricePerGibMonthKey} from './catalog/settings.js';

export const settingKeys = [pricePerGibMonthKey, currencyKey] as const;

/** The highest price accepted: far above any real storage price, low enough that no cost figure overflows. */
export const maxPricePerGibMonth = 1_000_000;
const priceExample = 'Give the price of one GiB stored for a month, e.g. `strata config set price-per-gib-month 0.0224 --currency USD`';

/** Reads a storage price as typed (decimal or 1e-2 notation), saying exactly what is wrong with a bad one. */
export function parsePrice(text: string): number {
	const value = text.trim();
	const price = Number(value);
	if (/^[+-]?inf(inity)?$/i.test(value)) throw new UserError('BAD_SETTING', `price "${text}" is not a finite number`, {hint: priceExample});
	if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) || Number.isNaN(price)) {
		throw new UserError('BAD_SETTING', `price "${text}" is not a number`, {hint: priceExample});
	}

	if (price < 0) throw new UserError('BAD_SETTING', `price "${text}" is negative`, {hint: 'Give 0 or more, e.g. `strata config set price-per-gib-month 0.0224 --currency USD`'});
	if (price > maxPricePerGibMonth) {
		throw new UserError('BAD_SETTING', `price "${text}" is too large; at most ${maxPricePerGibMonth} per GiB-month`, {hint: priceExample});
	}

	return price;
}

/** Sets a repository setting after checking it. */
export function setSetting(catalog: CatalogHandle, key: string, value: string): void {
	let stored = value;
	if (key === pricePerGibMonthKey) {
		// Stored as the number it reads as ("1e-2" as 0.01), so every reader gets the same value.
		stored = String(parsePrice(value));
	} else if (key === currencyKey) {
		if (!/^[A-Z]{3}$/.test(value)) throw new UserError('BAD_SETTING', `currency "${value}" is not a three-letter code`, {hint: 'Use e.g. USD, EUR or GBP'});
	} else {
		throw new UserError('UNKNOWN_SETTING', `there is no setting "${key}"`, {hint: `Settings: ${settingKeys.join(', ')}`});
	}

	putSetting(catalog, key, stored);
}
