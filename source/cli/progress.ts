/** A one-line progress display for a TTY (percent, MiB/s, ETA); silent when stderr is not a terminal. */
import type {JobProgress} from '../engine/index.js';
import type {TextOut} from './command.js';

export type ProgressLine = {update(progress: JobProgress): void; done(): void};

/** Renders progress on `out` (stderr) at most ten times a second; nothing when it is undefined. */
export function progressLine(label: string, out: TextOut | undefined): ProgressLine {
	let last = 0;
	let shown = false;
	return {
		update(progress) {
			if (!out) return;
			const time = Date.now();
			if (time - last < 100) return;
			last = time;
			shown = true;
			const percent = progress.totalBytes > 0 ? Math.floor((progress.doneBytes / progress.totalBytes) * 100) : 0;
			const rate = ((progress.bytesPerSecond ?? 0) / 1024 / 1024).toFixed(1);
			const eta = progress.etaSeconds === undefined ? '--' : `${Math.ceil(progress.etaSeconds)}s`;
			out.write(`\r${label} ${String(percent).padStart(3)}%  ${rate} MiB/s  ETA ${eta}\u001B[K`);
		},
		done() {
			if (shown) out?.write('\r\u001B[K');
		},
	};
}
