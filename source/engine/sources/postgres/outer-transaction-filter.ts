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
	private tail = Buffer.alloc(0);

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

		const all = this.tail.length > 0 ? Buffer.concat([this.tail, data]) : data;
		const keep = Math.min(all.length, tailBytes);
		if (all.length > keep) this.push(all.subarray(0, all.length - keep));
		this.tail = Buffer.from(all.subarray(all.length - keep));
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
