/** Every CLI command, in the order help lists them. */
import type {Command} from '../command.js';
import {churnCommand, costCommand} from './accounting.js';
import {backupCommand} from './backup.js';
import {initCommand} from './init.js';
import {itemAddCommand, itemListCommand, itemRemoveCommand} from './item.js';
import {expireCommand, gcCommand, itemSetCommand, jobsCommand, protectResumeCommand, protectStopCommand, undeleteCommand} from './lifecycle.js';
import {pointsCommand} from './points.js';
import {policyAddCommand, policyListCommand, policyRemoveCommand, policySetCommand, policySimulateCommand} from './policy.js';
import {configGetCommand, configSetCommand} from './config.js';
import {runCommand} from './run.js';
import {unlockCommand} from './unlock.js';
import {restoreCommand} from './restore.js';
import {repairCommand} from './repair.js';
import {verifyCommand} from './verify.js';
import {catalogRebuildCommand} from './catalog.js';
import {upgradeCommand} from './upgrade.js';

export const commands: Command[] = [initCommand, itemAddCommand, itemListCommand, itemSetCommand,
	itemRemoveCommand,
	backupCommand,
	pointsCommand,
	restoreCommand,
	verifyCommand,
	repairCommand,
	policyAddCommand,
	policySetCommand,
	policyListCommand,
	policyRemoveCommand,
	policySimulateCommand,
	costCommand,
	churnCommand,
	configSetCommand,
	configGetCommand,
	expireCommand,
	gcCommand,
	protectStopCommand,
	protectResumeCommand,
	undeleteCommand,
	runCommand,
	jobsCommand,
	unlockCommand,
	catalogRebuildCommand,
	upgradeCommand,
];
