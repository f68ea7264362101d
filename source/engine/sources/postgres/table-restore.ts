/**
 * Restoring one table of a dump: what to select from its table of contents (decided before anything is written, with
 * the target database asked which of the objects the table needs it already has), the SQL that lets go again of large
 * objects brought along but not referenced, and the check afterwards that every referenced large object is there.
 */
import {UserError} from '../../errors.js';
import {formatRecoveryPointId} from '../../model/index.js';
import {addSchemaDetails, parseTocList, qualifiedName, type TocEntry} from './dump-toc.js';
import {type DumpFeed, listDump, psqlQuery, quoteIdentifier, quoteLiteral, readDumpSchema} from './commands.js';
import {findRelation, selectTable, type TableName} from './table-selection.js';

export type TablePlan = {
	name: TableName;
	/** Dump ids for pg_restore's --use-list, in the dump's order. */
	ids: number[];
	/** Lines to show: what did not come along. */
	warnings: string[];
	/** OIDs of the large objects the restore brings (all of the dump's); those the table does not reference are unlinked. */
	largeObjects: number[];
};

/** Whether the target has an entry's object, as an SQL boolean (false for kinds never looked up). */
function presenceCheck(entry: TocEntry): string {
	const qualified = (name: string) => quoteLiteral(`${quoteIdentifier(entry.schema)}.${name}`);
	switch (entry.kind) {
		case 'SCHEMA': {
			return `EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(entry.tag)})`;
		}

		case 'EXTENSION': {
			return `EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = ${quoteLiteral(entry.tag)})`;
		}

		case 'TABLE': case 'VIEW': case 'MATERIALIZED VIEW': case 'FOREIGN TABLE': case 'SEQUENCE': {
			return `pg_catalog.to_regclass(${qualified(quoteIdentifier(entry.tag))}) IS NOT NULL`;
		}

		case 'FUNCTION': case 'PROCEDURE': case 'AGGREGATE': {
			// The tag is `name(argument types)`, the name unquoted.
			const open = entry.tag.indexOf('(');
			return `pg_catalog.to_regprocedure(${qualified(quoteIdentifier(entry.tag.slice(0, open)) + entry.tag.slice(open))}) IS NOT NULL`;
		}

		case 'TYPE': case 'SHELL TYPE': case 'DOMAIN': {
			return `pg_catalog.to_regtype(${qualified(quoteIdentifier(entry.tag))}) IS NOT NULL`;
		}

		case 'COLLATION': {
			return `pg_catalog.to_regcollation(${qualified(quoteIdentifier(entry.tag))}) IS NOT NULL`;
		}

		default: {
			return 'false';
		}
	}
}

/** The ids of the entries whose objects `database` already has. */
async function presentIn(env: NodeJS.ProcessEnv, database: string, entries: readonly TocEntry[]): Promise<Set<number>> {
	if (entries.length === 0) return new Set();
	const rows = entries.map(entry => `(${entry.id}, ${presenceCheck(entry)})`).join(', ');
	const found = await psqlQuery(env, database, `SELECT coalesce(string_agg(id::text, ','), '') FROM (VALUES ${rows}) AS v(id, present) WHERE present`);
	return new Set(found ? found.split(',').map(Number) : []);
}

/**
 * Reads the dump's table of contents (through `feed`, twice: each read stops after the header) and selects what
 * restores the table into `database` (for a database still to be created: template1, which it will copy). Fails,
 * before anything is written, on a table the dump lacks or on an object it needs that cannot come along.
 */
export async function planTableRestore(env: NodeJS.ProcessEnv, database: string, table: TableName, feed: () => DumpFeed, point: {itemName: string; rpId: number}): Promise<TablePlan> {
	const pointName = `${formatRecoveryPointId(point.rpId)} of "${point.itemName}"`;
	const entries = parseTocList(await listDump(env, feed()));
	const relation = findRelation(entries, table);
	if (!relation) {
		throw new UserError('TABLE_NOT_IN_DUMP', `${pointName} has no table ${table.schema}.${table.name}`, {
			hint: `See its tables with \`strata restore ${point.itemName} ${point.rpId} --to-file FILE\` and \`pg_restore --list FILE\``,
		});
	}

	addSchemaDetails(entries, await readDumpSchema(env, feed()));
	// First as if the target had nothing, to learn what to ask it about; then with its answer.
	const present = await presentIn(env, database, selectTable(entries, relation, new Set()).consulted);
	const selection = selectTable(entries, relation, present);
	const blocker = selection.missing[0];
	if (blocker) {
		throw new UserError('TABLE_NEEDS_OBJECT', `${qualifiedName(relation)} needs ${blocker.kind.toLowerCase()} ${qualifiedName(blocker)}, which cannot be restored without the rest of ${pointName}`, {
			hint: 'Restore the whole point into a new database (--to-db without --table) and copy the table from there',
		});
	}

	return {name: table, ids: selection.ids, warnings: selection.warnings, largeObjects: selection.largeObjects};
}

/** The table's oid columns (and domains over oid, such as lo's) as one `SELECT v` over all their values. */
function referencedOidsSql(table: TableName): string {
	const relation = quoteLiteral(`${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`);
	return `SELECT string_agg(format('SELECT %I AS v FROM %s', a.attname, a.attrelid::regclass), ' UNION ALL ')
		FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = ${relation}::regclass AND a.attnum > 0 AND NOT a.attisdropped
		AND (a.atttypid = 'pg_catalog.oid'::regtype OR (t.typtype = 'd' AND t.typbasetype = 'pg_catalog.oid'::regtype))`;
}

/**
 * SQL, run in the restore's transaction after the script, that unlinks the large objects brought along which the
 * table does not reference: pg_restore cannot restore the data of some large objects only, so all of them came.
 */
export function unreferencedLargeObjectsSql(plan: TablePlan): string {
	if (plan.largeObjects.length === 0) return '';
	return `DO $strata$
DECLARE referenced text;
BEGIN
	${referencedOidsSql(plan.name)} INTO referenced;
	EXECUTE format('SELECT count(pg_catalog.lo_unlink(o)) FROM (SELECT pg_catalog.unnest(%L::pg_catalog.oid[]) EXCEPT SELECT v FROM (%s) AS r) AS x(o)',
		${quoteLiteral(`{${plan.largeObjects.join(',')}}`)}, coalesce(referenced, 'SELECT NULL::pg_catalog.oid AS v WHERE false'));
END $strata$;
`;
}

/** After the restore: a warning naming the values of the table's oid columns that point at no large object. */
export async function missingLargeObjectsWarning(env: NodeJS.ProcessEnv, database: string, table: TableName, pointName: string): Promise<string | undefined> {
	const union = await psqlQuery(env, database, referencedOidsSql(table));
	if (!union) return undefined;
	const shown = 5;
	const [count, first] = (
		await psqlQuery(env, database, `SELECT count(*) || '|' || coalesce(string_agg(v::text, ', ' ORDER BY v) FILTER (WHERE n <= ${shown}), '')
			FROM (SELECT v, row_number() OVER (ORDER BY v) AS n FROM (SELECT DISTINCT v FROM (${union}) AS r
			WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = r.v)) AS d) AS x`)
	).split('|');
	if (Number(count) === 0) return undefined;
	const more = Number(count) > shown ? ', ...' : '';
	return `${count} large object${count === '1' ? '' : 's'} referenced by ${table.schema}.${table.name} (oid ${first}${more}) ${count === '1' ? 'is' : 'are'} not in ${pointName}: ${count === '1' ? 'its oid points' : 'their oids point'} at nothing`;
}
