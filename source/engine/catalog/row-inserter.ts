import type {Database, Statement} from 'better-sqlite3';
import {heartbeatIfDue} from '../lock-heartbeat.js';

/** Inserts rows into one table many at a time (one prepared multi-row statement): for large commits (catalog/points.ts). */
export class RowInserter {
	// 400 rows of at most 8 values stay far below SQLite's 32,766 variables; against 100 the commit of a 1 GiB full took
	// 184 instead of 196 ms here.
	private static readonly rowsPerStatement = 400;
	private readonly full: Statement;
	private values: unknown[] = [];

	constructor(
		private readonly db: Database,
		private readonly target: string,
		private readonly width: number,
	) {
		this.full = db.prepare(this.sql(RowInserter.rowsPerStatement));
	}

	add(...row: unknown[]): void {
		for (const value of row) this.values.push(value);
		if (this.values.length === this.width * RowInserter.rowsPerStatement) {
			this.full.run(this.values);
			// A commit of millions of rows is long synchronous work: its writer's locks must still show progress.
			heartbeatIfDue();
			this.values = [];
		}
	}

	finish(): void {
		if (this.values.length > 0) this.db.prepare(this.sql(this.values.length / this.width)).run(this.values);
		this.values = [];
	}

	private sql(rows: number): string {
		const row = `(${Array.from({length: this.width}, () => '?').join(',')})`;
		return `INSERT INTO ${this.target} VALUES ${Array.from({length: rows}, () => row).join(',')}`;
	}
}
