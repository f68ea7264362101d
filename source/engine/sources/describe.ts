/** Pieces of the one-line descriptions every source kind gives of its points (Source.describePoint). */
import {formatRecoveryPointId, type RecoveryPoint} from '../model/index.js';

/** "3 blocks", "1 chunk". */
export function counted(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "rp7 on rp6" or "rp1 full": the point and its base (its type is in the table above the line, which must fit 80 columns). */
export function pointLead(point: RecoveryPoint): string {
	return `${formatRecoveryPointId(point.id)} ${point.baseId === undefined ? point.type : `on ${formatRecoveryPointId(point.baseId)}`}`;
}
