/**
 * psql alone decides when a restore commits: at the end of its input, after pg_restore finished cleanly. Without
 * --single-transaction pg_restore's script wraps the large objects' data in a BEGIN/COMMIT of its own, whose COMMIT
 * would commit everything restored before it; with it, the script is wrapped in one BEGIN/COMMIT instead. Strata asks
 * for the latter and takes those two lines out: the first `BEGIN;`, written before any entry, and the last `COMMIT;`,
 * written after all of them (COPY data ends with `\.` before it, so a row reading `COMMIT;` is never the last).
 */
import {Transform, type TransformCallback} from 'node:stream';
import {BugError} from '../../errors.js';

/** The script's own BEGIN comes within its header comments and settings. */
const headLimit = 64 * 1024;
/** The COMMIT is followed only by a closing comment and psql's \unrestrict line. */
const tailBytes = 16 * 1024;
const begin = Buffer.from('\nBEGIN;\n');
const commit = Buffer.from('\nCOMMIT;\n');

/** Streams pg_restore --single-transaction's script without its own BEGIN and COMMIT lines. */
export class OuterTransactionFilter extends Transform {
	private head: Buffer | undefined = Buffer.alloc(0);
	private tail: Buffer = Buffer.alloc(0);

	override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
		let data = chunk;
		if (this.head) {
			this.head = Buffer.concat([this.head, chunk]);
			const at = this.head.indexOf(begin);
			if (at < 0) {
				if (this.head.length > headLimit) done(new BugError('pg_restore\'s script did not start with BEGIN'));
				else done();
				return;
			}

			data = Buffer.concat([this.head.subarray(0, at + 1), this.head.subarray(at + begin.length)]);
			this.head = undefined;
		}

		// The last tailBytes seen are held back; a whole chunk is passed on without being copied.
		if (data.length >= tailBytes) {
			if (this.tail.length > 0) this.push(this.tail);
			if (data.length > tailBytes) this.push(data.subarray(0, data.length - tailBytes));
			// A view, not a copy: pg_restore's output arrives in a new buffer each read.
			this.tail = data.subarray(data.length - tailBytes);
		} else {
			const all = Buffer.concat([this.tail, data]);
			const cut = Math.max(0, all.length - tailBytes);
			if (cut > 0) this.push(all.subarray(0, cut));
			this.tail = all.subarray(cut);
		}

		done();
	}

	override _flush(done: TransformCallback): void {
		const at = this.tail.lastIndexOf(commit);
		if (this.head || at < 0) {
			done(new BugError('pg_restore\'s script did not end with COMMIT'));
			return;
		}

		this.push(this.tail.subarray(0, at + 1));
		this.push(this.tail.subarray(at + commit.length));
		done();
	}
}
