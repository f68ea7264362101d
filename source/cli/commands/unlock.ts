import {createInterface} from 'node:readline/promises';
import {type HeldLock, lockedBy, unlock, UsageError} from '../../engine/index.js';
import {defineCommand, type TextOut} from '../command.js';

function describe(lock: HeldLock): string {
	const holder = lock.holder;
	if (!holder) return `${lock.file}: unreadable (left by a process that died while taking it)`;
	return `${lock.file}: process ${holder.pid} (${holder.command}) on host ${holder.host} since ${holder.since}`;
}

async function confirmed(question: string, input: NodeJS.ReadableStream, output: TextOut): Promise<boolean> {
	// The terminal echoes the answer (cooked mode), so the question is written here and readline only reads a line.
	output.write(question);
	const prompt = createInterface({input});
	try {
		return /^y(es)?$/i.test((await prompt.question('')).trim());
	} finally {
		prompt.close();
	}
}

export const unlockCommand = defineCommand({
	name: 'unlock',
	summary: 'Free locks left by processes that are gone (another host\'s, or one that stopped)',
	args: [],
	flags: {yes: {type: 'boolean', description: 'Do not ask for confirmation (needed when not on a terminal)'}},
	details: 'Refuses when a live process on this host holds the lock. Check first that the holders named are really gone: two writers of one item at once can damage it.',
	async run(context) {
		const repo = context.openRepository();
		const locks = lockedBy(repo);
		for (const lock of locks) context.note(describe(lock));
		if (context.flags['yes'] !== true) {
			if (!context.io.stdin?.isTTY) {
				throw new UsageError('CONFIRM_NEEDED', `strata unlock would remove ${locks.length} lock(s) and needs confirmation`, {hint: 'Run it on a terminal, or give --yes once the holders named are gone'});
			}

			if (!(await confirmed(`Remove ${locks.length === 1 ? 'this lock' : `these ${locks.length} locks`}? Only if those processes are gone. [y/N] `, context.io.stdin, context.io.stderr))) {
				context.print('Nothing removed.');
				return 1;
			}
		}

		const removed = unlock(repo, locks);
		if (context.json) context.printJson(removed);
		else context.print(`Removed ${removed.locks} lock(s)${removed.pins > 0 ? ` and ${removed.pins} restore pin(s)` : ''}`);
	},
});
