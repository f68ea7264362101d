/** Repository settings kept in the catalog's meta table (settings.ts says which there are and checks their values). */
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
