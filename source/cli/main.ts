#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The `strata` bin: runs the CLI (run-cli.ts) with this process's streams, environment and signals, and sets the
 * exit code. The only place the CLI exits the process by itself: a second SIGINT or SIGTERM while a command rolls
 * back from the first (exit 130).
 */
import process from 'node:process';
import type {CliIo} from './command.js';
import {runCli} from './run-cli.js';

/** SIGINT and SIGTERM while a command runs: the first asks it to roll back and stop, a second stops the process. */
function interrupts(onInterrupt: (signal: NodeJS.Signals) => void): () => void {
	let interrupted = false;
	const handle = (signal: NodeJS.Signals) => {
		if (interrupted) process.exit(130);
		interrupted = true;
		onInterrupt(signal);
	};

	process.on('SIGINT', handle);
	process.on('SIGTERM', handle);
	return () => {
		process.off('SIGINT', handle);
		process.off('SIGTERM', handle);
	};
}

const io: CliIo = {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, interrupts};
process.exitCode = await runCli(process.argv.slice(2), io);
