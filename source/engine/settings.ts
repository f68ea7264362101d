/** Repository settings kept in the catalog: the storage price used for cost figures, and its currency. */
import {UserError} from './errors.js';
import type {Repository} from './repository.js';

export const pricePerGibMonthKey = 'price-per-gib-month';
export const currencyKey = 'currency';
export const settingKeys = [pricePerGibMonthKey, currencyKey] as const;

export type Price = {perGibMonth: number; currency: string};

/** The repository's storage price (0 USD until set). */
export function getPrice(repo: Repository): Price {
	return {perGibMonth: Number(repo.getSetting(pricePerGibMonthKey) ?? 0), currency: repo.getSetting(currencyKey) ?? 'USD'};
}

/** Sets a repository setting after checking it. */
export function setSetting(repo: Repository, key: string, value: string): void {
	if (key === pricePerGibMonthKey) {
		const price = Number(value);
		if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(price)) {
			throw new UserError('BAD_SETTING', `price "${value}" is not a non-negative number`, {hint: 'Use e.g. `strata config set price-per-gib-month 0.0224 --currency USD`'});
		}
	} else if (key === currencyKey) {
		if (!/^[A-Z]{3}$/.test(value)) throw new UserError('BAD_SETTING', `currency "${value}" is not a three-letter code`, {hint: 'Use e.g. USD, EUR or GBP'});
	} else {
		throw new UserError('UNKNOWN_SETTING', `there is no setting "${key}"`, {hint: `Settings: ${settingKeys.join(', ')}`});
	}

	repo.setSetting(key, value);
}

/** Money per month for stored bytes at a price. */
export function monthlyCost(bytes: number, price: Price): number {
	return (bytes / 1024 ** 3) * price.perGibMonth;
}
