/**
 * Test hook for crash-consistency tests: with STRATA_CRASH_AT=<step>, the process kills itself with SIGKILL when it
 * reaches that named step (placed after each durable write), as a power cut or kill -9 would.
 */
const target = process.env['STRATA_CRASH_AT'];

export function crashPoint(step: string): void {
	if (target !== undefined && target === step) process.kill(process.pid, 'SIGKILL');
}
