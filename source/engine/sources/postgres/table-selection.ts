/**
 * Which entries of a dump's table of contents restore one table whole: the table and its data, what hangs on it
 * (defaults, constraints, indexes, triggers, its own sequences with their values, comments), and what its
 * definitions use that the target lacks (a schema, a sequence another table owns or none does, a function, a type).
 * Pure: the caller says which entries the target already has and turns the result into a `--use-list` for pg_restore.
 */
import {qualifiedName, type TocEntry} from './dump-toc.js';

export type TableName = {schema: string; name: string};

export type TableSelection = {
	/** The dump ids to restore, in the dump's order (pg_restore restores a list in the order given). */
	ids: number[];
	/** One line each for what does not come along: a foreign key whose target the database lacks. */
	warnings: string[];
	/** Objects the table needs that this restore cannot bring (a parent table, another table's identity sequence). */
	missing: TocEntry[];
	/** Every entry whose presence in the target decided something: ask the target about these, then select again. */
	consulted: TocEntry[];
	/** OIDs of the large objects brought along (all of the dump's, when the table has an oid column). */
	largeObjects: number[];
};

export const relationKinds = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE', 'SEQUENCE']);

/** What hangs on a table (or on something that hangs on it): restored with it when the relations it names are. */
const attachedKinds = new Set([
	'TABLE DATA', 'DEFAULT', 'CONSTRAINT', 'CHECK CONSTRAINT', 'INDEX', 'INDEX ATTACH', 'TRIGGER', 'RULE', 'POLICY', 'ROW SECURITY', 'STATISTICS', 'COMMENT', 'ACL',
	'SECURITY LABEL', 'SEQUENCE', 'SEQUENCE SET',
]);

/** What a definition may use that can be created on its own, without the rest of the dump. */
const helperKinds = new Set(['SCHEMA', 'SEQUENCE', 'FUNCTION', 'PROCEDURE', 'AGGREGATE', 'TYPE', 'SHELL TYPE', 'DOMAIN', 'COLLATION', 'EXTENSION']);

const largeObjectKinds = new Set(['BLOB', 'BLOBS', 'BLOB METADATA']);

/** A column of type oid or lo (the lo extension's domain over oid) in a CREATE TABLE: it may name large objects. */
const oidColumn = /^ {4}(?:"(?:[^"]|"")*"|\S+) (?:pg_catalog\.)?(?:oid|(?:\S+\.)?lo)(?: |,|$)/m;

/** The relation entry a user means by SCHEMA.TABLE, if the dump has it. */
export function findRelation(entries: readonly TocEntry[], table: TableName): TocEntry | undefined {
	return entries.find(entry => relationKinds.has(entry.kind) && entry.kind !== 'SEQUENCE' && entry.schema === table.schema && entry.tag === table.name);
}

/** Selects what restores `table`; `existing` holds the ids of entries the target database already has. */
export function selectTable(entries: readonly TocEntry[], table: TocEntry, existing: ReadonlySet<number>): TableSelection {
	const byId = new Map(entries.map(entry => [entry.id, entry]));
	const selected = new Set([table.id]);
	const decided = new Set<number>();
	const consulted = new Map<number, TocEntry>();
	const warnings: string[] = [];
	const missing = new Map<number, TocEntry>();
	const isRelation = (id: number) => relationKinds.has(byId.get(id)?.kind ?? '') && byId.get(id)?.kind !== 'SEQUENCE';
	const present = (entry: TocEntry) => {
		consulted.set(entry.id, entry);
		return existing.has(entry.id);
	};

	const bringsLargeObjects = table.kind === 'TABLE' && oidColumn.test(table.definition);
	const largeObjects: number[] = [];
	if (bringsLargeObjects) {
		for (const entry of entries.filter(entry => largeObjectKinds.has(entry.kind))) {
			selected.add(entry.id);
			if (entry.kind === 'BLOB') largeObjects.push(Number(entry.tag));
		}
	}

	/** A foreign key of the table comes when every table it references is restored too or already there. */
	const foreignKey = (entry: TocEntry) => {
		decided.add(entry.id);
		if (entry.schema !== table.schema || !entry.tag.startsWith(`${table.tag} `)) return;
		const targets = entry.dependencies.filter(id => isRelation(id) && !selected.has(id)).map(id => byId.get(id)!);
		const absent = targets.filter(target => !present(target));
		if (absent.length === 0) {
			selected.add(entry.id);
			return;
		}

		warnings.push(`foreign key ${entry.tag.slice(table.tag.length + 1)} of ${qualifiedName(table)} is not restored: it references ${absent.map(target => qualifiedName(target)).join(', ')}, which the target database lacks`);
	};

	/** A partition or inheriting child holds rows of the table's that this restore does not bring: said, not left silent. */
	const child = (entry: TocEntry) => {
		decided.add(entry.id);
		warnings.push(`${qualifiedName(entry)}, a partition or child table of ${qualifiedName(table)}, is not restored (nor its rows): restore it with its own --table`);
	};

	const attaches = (entry: TocEntry) => {
		if (entry.kind === 'SEQUENCE OWNED BY') {
			// Only the table's own sequences stay owned: one brought for another table's default belongs to nothing here.
			return entry.dependencies.some(id => selected.has(id) && byId.get(id)!.dependencies.includes(table.id));
		}

		return attachedKinds.has(entry.kind) && entry.dependencies.every(id => !isRelation(id) || selected.has(id));
	};

	/** What a selected entry needs that is neither selected nor in the target: brought along when it can stand alone. */
	const require = (entry: TocEntry) => {
		for (const id of entry.dependencies) {
			const needed = byId.get(id);
			if (!needed || selected.has(id) || missing.has(id)) continue;
			// A sequence's dependency on a relation is its owner, which a sequence brought for a default does without.
			if (entry.kind === 'SEQUENCE' && isRelation(id)) continue;
			if (present(needed)) continue;
			// An identity sequence is created by ALTER TABLE on its table: it cannot come without it.
			const standalone = helperKinds.has(needed.kind) && !(needed.kind === 'SEQUENCE' && needed.definition.startsWith('ALTER TABLE'));
			if (standalone) selected.add(id);
			else missing.set(id, needed);
		}
	};

	for (let changed = true; changed;) {
		changed = false;
		for (const entry of entries) {
			if (selected.has(entry.id) || decided.has(entry.id) || !entry.dependencies.some(id => selected.has(id))) continue;
			if (entry.kind === 'FK CONSTRAINT') foreignKey(entry);
			else if (entry.kind === 'TABLE' && entry.dependencies.includes(table.id)) child(entry);
			else if (attaches(entry)) selected.add(entry.id);
			changed ||= selected.has(entry.id);
		}

		// TABLE DATA and SEQUENCE SET name no dependency in the listing: they go with their table or sequence by name.
		for (const entry of entries) {
			if (selected.has(entry.id) || (entry.kind !== 'TABLE DATA' && entry.kind !== 'SEQUENCE SET')) continue;
			const owner = entries.find(other => selected.has(other.id) && relationKinds.has(other.kind) && other.schema === entry.schema && other.tag === entry.tag);
			if (owner) {
				selected.add(entry.id);
				changed = true;
			}
		}

		const before = selected.size;
		for (const id of [...selected]) {
			const entry = byId.get(id)!;
			if (entry.kind !== 'FK CONSTRAINT') require(entry);
		}

		changed ||= selected.size > before;
	}

	return {
		ids: entries.filter(entry => selected.has(entry.id)).map(entry => entry.id),
		warnings,
		missing: [...missing.values()],
		consulted: [...consulted.values()],
		largeObjects,
	};
}
