/** Reading a dump's table of contents and choosing the entries of one table, on pg_restore's own output (PostgreSQL 15). */
import {Readable} from 'node:stream';
import {text} from 'node:stream/consumers';
import {describe, expect, it} from 'vitest';
import {addSchemaDetails, parseTocList, type TocEntry} from '../../../../source/engine/sources/postgres/dump-toc.js';
import {OuterTransactionFilter} from '../../../../source/engine/sources/postgres/outer-transaction-filter.js';
import {findRelation, selectTable} from '../../../../source/engine/sources/postgres/table-selection.js';

const listing = `;
; Selected TOC Entries:
;
6; 2615 16386 SCHEMA - sales postgres
222; 1255 16422 FUNCTION public touch(integer, text) postgres
218; 1259 16397 TABLE public customers postgres
217; 1259 16396 SEQUENCE public customers_id_seq postgres
3390; 0 0 SEQUENCE OWNED BY public customers_id_seq postgres
215; 1259 16385 SEQUENCE public invoice_seq postgres
221; 1259 16425 TABLE public parts postgres
220; 1259 16424 SEQUENCE public parts_id_seq postgres
216; 1259 16387 TABLE sales orders postgres
3214; 2604 16400 DEFAULT public customers id postgres
3380; 2613 16419 BLOB - 16419 postgres
3376; 0 16397 TABLE DATA public customers postgres
3374; 0 16387 TABLE DATA sales orders postgres
3391; 0 0 SEQUENCE SET public customers_id_seq postgres
3392; 0 0 SEQUENCE SET public invoice_seq postgres
3393; 0 0 SEQUENCE SET public parts_id_seq postgres
3383; 0 0 BLOBS - BLOBS 
3223; 2606 16405 CONSTRAINT public customers customers_pkey postgres
3218; 2606 16395 CONSTRAINT sales orders orders_pkey postgres
3221; 1259 16408 INDEX public customers_name postgres
3230; 2620 16423 TRIGGER public customers customers_touch postgres
3228; 2606 16409 FK CONSTRAINT sales orders orders_customer_fk postgres
`;

/** A block of `pg_restore --schema-only --verbose` output. */
const block = (id: number, dependencies: number[], sql: string) =>
	`--\n-- TOC entry ${id} (class 1259 OID 1)\n${dependencies.length > 0 ? `-- Dependencies: ${dependencies.join(' ')}\n` : ''}-- Name: x; Type: X; Schema: public; Owner: postgres\n--\n\n${sql}\n\n\n`;

const script = [
	block(6, [], 'CREATE SCHEMA sales;'),
	block(222, [], 'CREATE FUNCTION public.touch(integer, text) RETURNS trigger ...'),
	block(218, [], 'CREATE TABLE public.customers (\n    id integer NOT NULL,\n    name text\n);'),
	block(217, [218], 'CREATE SEQUENCE public.customers_id_seq;'),
	block(3390, [217], 'ALTER SEQUENCE public.customers_id_seq OWNED BY public.customers.id;'),
	block(215, [], 'CREATE SEQUENCE public.invoice_seq;'),
	block(221, [], 'CREATE TABLE public.parts (\n    id integer NOT NULL,\n    picture oid\n);'),
	block(220, [221], 'ALTER TABLE public.parts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME public.parts_id_seq);'),
	block(216, [215, 6], "CREATE TABLE sales.orders (\n    id bigint DEFAULT nextval('public.invoice_seq'::regclass) NOT NULL\n);"),
	block(3214, [217, 218, 218], "ALTER TABLE ONLY public.customers ALTER COLUMN id SET DEFAULT nextval('public.customers_id_seq'::regclass);"),
	block(3380, [], "SELECT pg_catalog.lo_create('16419');"),
	block(3223, [218], 'ALTER TABLE ONLY public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id);'),
	block(3218, [216], 'ALTER TABLE ONLY sales.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);'),
	block(3221, [218], 'CREATE INDEX customers_name ON public.customers USING btree (name);'),
	block(3230, [218, 222], 'CREATE TRIGGER customers_touch ...;'),
	block(3228, [3223, 216, 218], 'ALTER TABLE ONLY sales.orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY ...;'),
].join('');

function toc(): TocEntry[] {
	const entries = parseTocList(listing);
	addSchemaDetails(entries, script);
	return entries;
}

const select = (schema: string, name: string, existing: number[] = []) => {
	const entries = toc();
	return selectTable(entries, findRelation(entries, {schema, name})!, new Set(existing));
};

describe('a dump\'s table of contents', () => {
	it('reads kinds with spaces, tags with spaces, entries without an owner, and each entry\'s dependencies', () => {
		const byId = new Map(toc().map(entry => [entry.id, entry]));
		expect(byId.get(3390)).toMatchObject({kind: 'SEQUENCE OWNED BY', schema: 'public', tag: 'customers_id_seq', dependencies: [217]});
		expect(byId.get(3228)).toMatchObject({kind: 'FK CONSTRAINT', schema: 'sales', tag: 'orders orders_customer_fk', dependencies: [3223, 216, 218]});
		expect(byId.get(222)).toMatchObject({kind: 'FUNCTION', tag: 'touch(integer, text)'});
		expect(byId.get(3383)).toMatchObject({kind: 'BLOBS', schema: '', tag: 'BLOBS'});
		expect(byId.get(6)).toMatchObject({kind: 'SCHEMA', schema: '', tag: 'sales'});
		expect(byId.get(3214)!.dependencies).toEqual([217, 218]);
		expect(byId.get(3221)!.definition).toBe('CREATE INDEX customers_name ON public.customers USING btree (name);');
	});
});

describe('the entries of one table', () => {
	it('takes the table with its data, default, owned sequence and its value, constraint, index, and trigger with its function', () => {
		const selection = select('public', 'customers');
		expect(selection.ids).toEqual([222, 218, 217, 3390, 3214, 3376, 3391, 3223, 3221, 3230]);
		expect(selection).toMatchObject({warnings: [], missing: [], largeObjects: []});
	});

	it('brings a sequence the table uses but does not own, with its value, and its schema; a foreign key to an absent table only as a warning', () => {
		const selection = select('sales', 'orders');
		expect(selection.ids).toEqual([6, 215, 216, 3374, 3392, 3218]);
		expect(selection.warnings).toEqual(['foreign key orders_customer_fk of sales.orders is not restored: it references public.customers, which the target database lacks']);
		expect(selection.consulted.map(entry => entry.id).sort()).toEqual([215, 218, 6]);
	});

	it('leaves out what the target already has, and keeps a foreign key whose target is there', () => {
		const selection = select('sales', 'orders', [6, 215, 218]);
		expect(selection.ids).toEqual([216, 3374, 3218, 3228]);
		expect(selection.warnings).toEqual([]);
	});

	it('brings every large object with a table that has an oid column (pg_restore restores their data all or none)', () => {
		const selection = select('public', 'parts');
		expect(selection.ids).toEqual([221, 220, 3380, 3393, 3383]);
		expect(selection.largeObjects).toEqual([16419]);
	});

	it('says that a partition or child table, and its rows, do not come with their parent', () => {
		const entries = toc();
		entries.push({id: 999, kind: 'TABLE', schema: 'public', tag: 'parts_2026', dependencies: [221], definition: 'CREATE TABLE public.parts_2026 (\n)\nINHERITS (public.parts);'});
		const selection = selectTable(entries, findRelation(entries, {schema: 'public', name: 'parts'})!, new Set());
		expect(selection.ids).not.toContain(999);
		expect(selection.warnings).toEqual(['public.parts_2026, a partition or child table of public.parts, is not restored (nor its rows): restore it with its own --table']);
	});

	it('names what cannot come alone: another table\'s identity sequence', () => {
		const entries = toc();
		entries.find(entry => entry.id === 216)!.dependencies = [220];
		const selection = selectTable(entries, findRelation(entries, {schema: 'sales', name: 'orders'})!, new Set());
		expect(selection.missing.map(entry => entry.tag)).toEqual(['parts_id_seq']);
	});
});

describe('the restore script\'s own transaction', () => {
	it('loses its first BEGIN and last COMMIT, and nothing else, however the stream is cut', async () => {
		const body = '--\n-- dump\n--\n\\restrict k\nBEGIN;\n\nSET x = 1;\nCOPY t FROM stdin;\nCOMMIT;\nBEGIN;\n\\.\n\nCOMMIT;\n\n--\n-- done\n--\n\n\\unrestrict k\n';
		for (const size of [1, 7, 4096]) {
			const pieces = Array.from({length: Math.ceil(body.length / size)}, (_, index) => Buffer.from(body.slice(index * size, (index + 1) * size)));
			const output = await text(Readable.from(pieces).pipe(new OuterTransactionFilter()));
			expect(output, `pieces of ${size}`).toBe('--\n-- dump\n--\n\\restrict k\n\nSET x = 1;\nCOPY t FROM stdin;\nCOMMIT;\nBEGIN;\n\\.\n\n\n--\n-- done\n--\n\n\\unrestrict k\n');
		}
	});
});
