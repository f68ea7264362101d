/**
 * A custom-format dump's table of contents, as pg_restore shows it: `--list` names every entry (data ones included)
 * and `--schema-only --verbose` adds each definition's dependencies and SQL. Both read only the dump's header.
 * An entry is one thing pg_restore can restore on its own (a TABLE, its TABLE DATA, a CONSTRAINT, a BLOB, ...).
 */

export type TocEntry = {
	/** pg_restore's dump id, what `--use-list` selects by. */
	id: number;
	/** The kind, as pg_dump names it: TABLE, TABLE DATA, SEQUENCE SET, FK CONSTRAINT, BLOB, ... */
	kind: string;
	/** The schema, or '' for objects outside schemas (schemas themselves, extensions, large objects). */
	schema: string;
	/** pg_dump's tag: the name, `table constraint` for constraints and triggers, `name(args)` for functions. */
	tag: string;
	/** Dump ids this entry needs first. */
	dependencies: number[];
	/** The SQL that creates it ('' for data entries, which the schema listing leaves out). */
	definition: string;
};

/** Kinds pg_dump writes, longest first so `SEQUENCE OWNED BY` is not read as a `SEQUENCE` tagged `OWNED BY ...`. */
const kinds = [
	'MATERIALIZED VIEW DATA', 'SEQUENCE OWNED BY', 'DEFAULT ACL', 'MATERIALIZED VIEW', 'FOREIGN TABLE', 'FK CONSTRAINT', 'INDEX ATTACH', 'TABLE ATTACH', 'SEQUENCE SET', 'TABLE DATA',
	'ROW SECURITY', 'CHECK CONSTRAINT', 'EVENT TRIGGER', 'FOREIGN DATA WRAPPER', 'FOREIGN SERVER', 'USER MAPPING', 'TEXT SEARCH CONFIGURATION', 'TEXT SEARCH DICTIONARY',
	'TEXT SEARCH PARSER', 'TEXT SEARCH TEMPLATE', 'OPERATOR CLASS', 'OPERATOR FAMILY', 'PUBLICATION TABLE', 'PUBLICATION TABLES IN SCHEMA', 'SHELL TYPE', 'LARGE OBJECT',
	'CONSTRAINT', 'SEQUENCE', 'TABLE', 'VIEW', 'INDEX', 'TRIGGER', 'DEFAULT', 'FUNCTION', 'PROCEDURE', 'AGGREGATE', 'TYPE', 'DOMAIN', 'SCHEMA', 'EXTENSION', 'COLLATION',
	'COMMENT', 'ACL', 'BLOB', 'BLOBS', 'BLOB METADATA', 'RULE', 'POLICY', 'STATISTICS', 'CAST', 'CONVERSION', 'OPERATOR', 'PUBLICATION', 'SUBSCRIPTION', 'ENCODING',
	'STDSTRINGS', 'SEARCHPATH', 'DATABASE', 'DATABASE PROPERTIES', 'PROCEDURAL LANGUAGE', 'TRANSFORM', 'ACCESS METHOD',
].sort((a, b) => b.length - a.length);

/**
 * Parses `pg_restore --list`: `id; catalog-oid object-oid KIND schema tag owner`, the schema `-` for none. The owner
 * is the last word; a tag may hold spaces (`orders orders_pkey`, `f(integer, text)`).
 */
export function parseTocList(listing: string): TocEntry[] {
	const entries: TocEntry[] = [];
	for (const line of listing.split('\n')) {
		const match = /^(\d+); \d+ \d+ (.*)$/.exec(line);
		if (!match) continue;
		const rest = match[2]!;
		const kind = kinds.find(name => rest.startsWith(`${name} `));
		if (!kind) continue;
		const words = rest.slice(kind.length + 1);
		const at = words.indexOf(' ');
		const schema = words.slice(0, at);
		// The owner follows the tag; BLOBS entries have none (a trailing space).
		const tag = words.slice(at + 1).replace(/ \S*$/, '');
		entries.push({id: Number(match[1]), kind, schema: schema === '-' ? '' : schema, tag, dependencies: [], definition: ''});
	}

	return entries;
}

/**
 * Adds what `pg_restore --schema-only --verbose --file=-` says of each entry (its block starts with `-- TOC entry N`,
 * then `-- Dependencies: a b` when it has any, then the SQL after the comment) to the entries of the listing.
 */
export function addSchemaDetails(entries: TocEntry[], script: string): void {
	const byId = new Map(entries.map(entry => [entry.id, entry]));
	const blocks = script.split(/^-- TOC entry /m).slice(1);
	for (const block of blocks) {
		const entry = byId.get(Number(/^\d+/.exec(block)?.[0]));
		if (!entry) continue;
		const dependencies = /^-- Dependencies: ([\d ]+)$/m.exec(block);
		if (dependencies) entry.dependencies = [...new Set(dependencies[1]!.trim().split(/\s+/).map(Number))];
		// The SQL starts after the header comment's closing `--` line and runs to the next entry's opening one.
		const end = block.indexOf('\n--\n');
		entry.definition = end < 0 ? '' : block.slice(end + 4).replace(/\n--\s*$/, '').trim();
	}
}

/** `schema.name` of an entry, the way a user names it. */
export function qualifiedName(entry: Pick<TocEntry, 'schema' | 'tag'>): string {
	return entry.schema ? `${entry.schema}.${entry.tag}` : entry.tag;
}
