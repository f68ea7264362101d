/** Every CLI command, in the order help lists them. */
import type {Command} from '../command.js';
import {backupCommand} from './backup.js';
import {initCommand} from './init.js';
import {itemAddCommand, itemListCommand, itemRemoveCommand} from './item.js';
import {pointsCommand} from './points.js';
import {restoreCommand} from './restore.js';
import {verifyCommand} from './verify.js';

export const commands: Command[] = [initCommand, itemAddCommand, itemListCommand, itemRemoveCommand, backupCommand, pointsCommand, restoreCommand, verifyCommand];
