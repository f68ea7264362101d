/** A one-line progress display for a TTY (percent, MiB/s, ETA); silent when stderr is not a terminal. */
import process from 'node:process';
import type {JobProgress} from '../engine/index.js';

export type ProgressLine = {update(progress: JobProgress): void; done(): void};

/** Renders progress on stderr at most ten times a second. */
export function progressLine(label: string, enabled: boolean): ProgressLine {
	let last = 0;
	let shown = false;
	return {
		update(progress) {
			if (!enabled) return;
			const time = Date.now();
			if (time - last < 100) return;
			last = time;
			shown = true;
			const percent = progress.totalBytes > 0 ? Math.floor((progress.doneBytes / progress.totalBytes) * 100) : 0;
			const rate = ((progress.bytesPerSecond ?? 0) / 1024 / 1024).toFixed(1);
			const eta = progress.etaSeconds === undefined ? '--' : `${Math.ceil(progress.etaSeconds)}s`;
			process.stderr.write(`\r${label} ${String(percent).padStart(3)}%  ${rate} MiB/s  ETA ${eta}\u001B[K`);
		},
		done() {
			if (shown) process.stderr.write('\r\u001B[K');
		},
	};
}
