/**
 * Repository settings kept in the catalog's meta table (settings.ts checks values before they are set), and the one
 * they hold today: the storage price, read here so accounting and lifecycle need nothing above the catalog for it.
 */
import {type CatalogHandle, connectionOf} from './connection.js';

/** A setting's stored value, or undefined when it was never set. */
export function getSetting(catalog: CatalogHandle, key: string): string | undefined {
	const row = connectionOf(catalog).prepare('SELECT value FROM meta WHERE key = ?').get(key) as {value: string} | undefined;
	return row?.value;
}

/** Stores a setting's value, replacing the one before. */
export function putSetting(catalog: CatalogHandle, key: string, value: string): void {
	connectionOf(catalog).prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export const pricePerGibMonthKey = 'price-per-gib-month';
export const currencyKey = 'currency';

/** A storage price: money per GiB stored for a month, in a currency. */
export type Price = {perGibMonth: number; currency: string};

/** The repository's storage price (0 USD until set). */
export function getPrice(catalog: CatalogHandle): Price {
	return {perGibMonth: Number(getSetting(catalog, pricePerGibMonthKey) ?? 0), currency: getSetting(catalog, currencyKey) ?? 'USD'};
}

/** Money per month for stored bytes at a price. */
export function monthlyCost(bytes: number, price: Price): number {
	return (bytes / 1024 ** 3) * price.perGibMonth;
}
