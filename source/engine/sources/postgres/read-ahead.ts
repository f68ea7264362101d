/**
 * Reading a child's output ahead of its consumer: the pipe is drained into a queue (up to a limit) while the consumer
 * chunks, so pg_dump never waits on Strata; the consumer copies from the queue into buffers of its own.
 */
import type {Readable} from 'node:stream';
import {throwIfAborted} from '../../abort.js';

export class ReadAhead {
	private readonly queue: Buffer[] = [];
	private head = 0;
	private headOffset = 0;
	private queued = 0;
	private ended = false;
	private failure: Error | undefined;
	private wake: (() => void) | undefined;
	/** Bytes the waiting consumer needs: it is woken once that much is queued, not for every small read of the pipe. */
	private wanted = 0;

	constructor(
		private readonly stream: Readable,
		private readonly limit: number,
		private readonly signal: AbortSignal | undefined,
	) {
		stream.on('data', (chunk: Buffer) => {
			this.queue.push(chunk);
			this.queued += chunk.length;
			if (this.queued > limit) stream.pause();
			if (this.queued >= this.wanted) this.notify();
		});
		stream.once('end', () => {
			this.ended = true;
			this.notify();
		});
		stream.once('error', error => {
			this.failure = error;
			this.notify();
		});
		signal?.addEventListener('abort', () => this.notify(), {once: true});
	}

	/** True once the stream has ended and everything read was handed out. */
	get done(): boolean {
		return this.ended && this.head === this.queue.length;
	}

	/** Copies stream bytes into `target` from `offset` until it is full or the stream ends; returns the new fill level. */
	async fill(target: Uint8Array, offset: number): Promise<number> {
		let filled = offset;
		while (filled < target.length) {
			throwIfAborted(this.signal);
			if (this.failure) throw this.failure;
			const chunk = this.queue[this.head];
			if (!chunk) {
				if (this.ended) break;
				this.wanted = Math.min(target.length - filled, this.limit);
				await new Promise<void>(resolve => (this.wake = resolve));
				continue;
			}

			const take = Math.min(chunk.length - this.headOffset, target.length - filled);
			target.set(chunk.subarray(this.headOffset, this.headOffset + take), filled);
			filled += take;
			this.headOffset += take;
			this.queued -= take;
			if (this.headOffset === chunk.length) this.advance();
			if (this.stream.isPaused() && this.queued < this.limit / 2) this.stream.resume();
		}

		return filled;
	}

	private advance(): void {
		this.queue[this.head] = undefined as unknown as Buffer;
		this.head++;
		this.headOffset = 0;
		if (this.head > 1024) {
			this.queue.splice(0, this.head);
			this.head = 0;
		}
	}

	private notify(): void {
		this.wake?.();
		this.wake = undefined;
	}
}
