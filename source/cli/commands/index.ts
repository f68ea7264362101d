/** Every CLI command, in the order help lists them. */
import type {Command} from '../command.js';
import {initCommand} from './init.js';
import {itemAddCommand, itemListCommand, itemRemoveCommand} from './item.js';

export const commands: Command[] = [initCommand, itemAddCommand, itemListCommand, itemRemoveCommand];
