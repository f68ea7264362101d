/** Reading recovery points by item name. */
import {requireItem} from './catalog/items.js';
import {pointsWithExpiry} from './lifecycle/expire.js';
import type {RecoveryPoint} from './model/index.js';
import type {Repository} from './repository.js';

/** An item's recovery points in creation order. */
export function listPoints(repo: Repository, itemName: string): RecoveryPoint[] {
	return pointsWithExpiry(repo, requireItem(repo, itemName));
}
