/**
 * The layering of source/ (ARCHITECTURE.md), read from the code itself: the `import ... from`, `export ... from` and
 * `import('...')` specifiers of every file, and the lines that touch SQLite. Each failure lists every violation
 * (importer -> imported, or file:line) so the list is the work still to do.
 */
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const engine = 'source/engine/';

/**
 * The engine's layers, highest first: a file may import its own layer or lower ones, never a higher one. Folders
 * sit where ARCHITECTURE.md puts them; the engine's root files are placed by what they are:
 * - api: index.ts and the root files that serve callers across the layers below it (items.ts, points.ts, reads.ts
 *   the read API, scheduler.ts which runs jobs, unlock.ts);
 * - repository: repository.ts, the front door every operation is handed: it lays out the folder (strata.json, packs,
 *   locks: through store/'s durable writes), opens the catalog and holds its handle; nothing below it knows it;
 * - catalog: settings.ts (checks the values catalog/settings.ts stores);
 * - ground: what every layer may use: clock, errors, text, cancellation (abort.ts), crash points, the lock files
 *   (lock.ts, lock-heartbeat.ts, repository-locks.ts: files on disk, no catalog) and read-only.ts (the read-only cause).
 */
const layers: ReadonlyArray<{name: string; members: readonly string[]}> = [
	{name: 'api', members: ['index.ts', 'items.ts', 'points.ts', 'reads.ts', 'scheduler.ts', 'unlock.ts']},
	{name: 'jobs', members: ['jobs/']},
	{name: 'sources', members: ['sources/']},
	{name: 'lifecycle, accounting', members: ['lifecycle/', 'accounting/']},
	{name: 'repository', members: ['repository.ts']},
	{name: 'chunkers, store', members: ['chunkers/', 'store/']},
	{name: 'catalog', members: ['catalog/', 'settings.ts']},
	{name: 'model, clock, errors', members: ['model/', 'clock.ts', 'errors.ts', 'text.ts', 'abort.ts', 'crash.ts', 'lock.ts', 'lock-heartbeat.ts', 'repository-locks.ts', 'read-only.ts']},
];

type Import = {from: string; to: string; line: number};

function sourceFiles(dir: string): string[] {
	return readdirSync(join(root, dir), {withFileTypes: true}).flatMap(entry => {
		const path = `${dir}/${entry.name}`;
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.tsx?$/.test(entry.name) ? [path] : [];
	});
}

const files = sourceFiles('source');
const texts = new Map(files.map(file => [file, readFileSync(join(root, file), 'utf8')]));

function lineAt(text: string, index: number): number {
	return text.slice(0, index).split('\n').length;
}

/** A relative specifier ('../x.js') as the project path of the source file it names. */
function resolveSource(from: string, specifier: string): string | undefined {
	const base = relative(root, resolve(root, dirname(from), specifier)).replace(/\.js$/, '');
	return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find(candidate => texts.has(candidate));
}

/** Every static and dynamic import of a project file, type-only ones included (they couple the layers too). */
const imports: Import[] = [...texts].flatMap(([file, text]) => {
	const found: Import[] = [];
	const patterns = [/^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
	for (const pattern of patterns) {
		for (const match of text.matchAll(pattern)) {
			if (!match[1]!.startsWith('.')) continue;
			const to = resolveSource(file, match[1]!);
			if (to) found.push({from: file, to, line: lineAt(text, match.index + match[0].length)});
		}
	}

	return found;
});

function show(edge: Import): string {
	return `${edge.from}:${edge.line} -> ${edge.to}`;
}

/** A file's place in the engine: its top folder (catalog/) or, for a root file, its name (repository.ts). */
function unitOf(file: string): string {
	const inside = file.slice(engine.length);
	const slash = inside.indexOf('/');
	return slash < 0 ? inside : inside.slice(0, slash + 1);
}

function layerOf(file: string): number {
	const unit = unitOf(file);
	const index = layers.findIndex(layer => layer.members.includes(unit));
	if (index < 0) throw new Error(`${file} is in no layer: place ${unit} in test/architecture.test.ts's layers`);
	return index;
}

/** The cycles between units (folders, root files) of the engine, each as `a -> b -> a`, one per strongly connected set. */
function unitCycles(edges: readonly Import[]): string[] {
	const next = new Map<string, Set<string>>();
	for (const edge of edges) {
		const [from, to] = [unitOf(edge.from), unitOf(edge.to)];
		if (from !== to) next.set(from, (next.get(from) ?? new Set()).add(to));
	}

	const cycles: string[] = [];
	const seen = new Set<string>();
	for (const start of [...next.keys()].sort()) {
		// The shortest way back to start, breadth first; a unit already in a reported cycle is not reported again.
		if (seen.has(start)) continue;
		const before = new Map<string, string>();
		const queue = [start];
		while (queue.length > 0) {
			const unit = queue.shift()!;
			for (const to of [...(next.get(unit) ?? [])].sort()) {
				if (to === start) {
					const path = [start];
					for (let at = unit; at !== start; at = before.get(at)!) path.splice(1, 0, at);
					for (const member of path) seen.add(member);
					cycles.push([...path, start].join(' -> '));
					queue.length = 0;
					break;
				}

				if (!before.has(to)) {
					before.set(to, unit);
					queue.push(to);
				}
			}
		}
	}

	return cycles;
}

/** Lines outside comments, with their numbers. */
function codeLines(text: string): Array<{line: number; code: string}> {
	return text.split('\n').flatMap((code, index) => (/^\s*(\/\/|\/\*|\*)/.test(code) ? [] : [{line: index + 1, code}]));
}

describe('the architecture of source/', () => {
	it('has cli/ and tui/ reach the engine only through source/engine/index.ts, and the engine reach neither', () => {
		const outside = imports.filter(edge => /^source\/(cli|tui)\//.test(edge.from) && edge.to.startsWith(engine) && edge.to !== `${engine}index.ts`);
		const upward = imports.filter(edge => edge.from.startsWith(engine) && /^source\/(cli|tui)\//.test(edge.to));
		expect([...outside, ...upward].map(edge => show(edge)), 'imports past source/engine/index.ts').toEqual([]);
	});

	it('keeps every engine file in a layer', () => {
		expect(files.filter(file => file.startsWith(engine)).flatMap(file => {
			try {
				layerOf(file);
				return [];
			} catch (error) {
				return [(error as Error).message];
			}
		})).toEqual([]);
	});

	it(`imports only downward in the engine: ${layers.map(layer => layer.name).join(' -> ')}`, () => {
		const inEngine = imports.filter(edge => edge.from.startsWith(engine) && edge.to.startsWith(engine));
		const upward = inEngine.filter(edge => layerOf(edge.to) < layerOf(edge.from));
		expect(upward.map(edge => `${show(edge)} (${layers[layerOf(edge.from)]!.name} imports ${layers[layerOf(edge.to)]!.name})`), 'imports running up a layer').toEqual([]);
	});

	it('has no import cycle between the engine\'s folders and root files', () => {
		const inEngine = imports.filter(edge => edge.from.startsWith(engine) && edge.to.startsWith(engine));
		expect(unitCycles(inEngine), 'cycles between folders').toEqual([]);
	});

	it('uses the SQLite handle and SQL only in source/engine/catalog/', () => {
		// sources/postgres/ sends SQL to the protected PostgreSQL database (psql scripts, catalog queries of the
		// dump's server): that is the source's own language, not the repository catalog's.
		// repository.ts opens the catalog and holds its connection: the Repository is the CatalogHandle that every
		// catalog function takes, so it alone outside catalog/ names the handle (to open, count commits and close it).
		const allowed = [`${engine}catalog/`, `${engine}sources/postgres/`, `${engine}repository.ts`];
		// `.db` as a property (repo.db, this.db), not the file name catalog.db in a path or a hint.
		const handle = /(?<!catalog)\.db\b(?![\w-])|\.prepare\(|\.pragma\(/;
		const sql = /\b(SELECT\b[\s\S]*\bFROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|CREATE (UNIQUE )?(TABLE|INDEX)|ALTER TABLE|DROP (TABLE|INDEX)|PRAGMA \w|WHERE \w+ (=|IN|IS)|JOIN \w+ ON)\b/;
		const found = files
			.filter(file => !allowed.some(prefix => file.startsWith(prefix)))
			.flatMap(file => codeLines(texts.get(file)!).filter(({code}) => handle.test(code) || sql.test(code)).map(({line, code}) => `${file}:${line}: ${code.trim().slice(0, 100)}`));
		expect(found, 'SQLite handle or SQL outside catalog/').toEqual([]);
	});
});
