/**
 * One table out of a PostgreSQL point (`restore --table`): it comes back whole (constraints, defaults, indexes,
 * triggers, its sequences at their values) with what its definitions need from outside it, its large objects, and a
 * line for whatever cannot come. Runs on the real sandbox server.
 */
import {join} from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {runStrata, type StrataRun} from '../helpers/cli.js';
import {pgEnv, pgSandbox} from '../helpers/pg.js';
import {strataFor} from '../helpers/strata.js';
import {makeTempDir} from '../helpers/tmp.js';

async function psql(database: string, statement: string): Promise<string> {
	const result = await execa(join(pgSandbox().PGBIN, 'psql'), ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', statement], {env: pgEnv(), stdin: 'ignore'});
	return result.stdout;
}

let counter = 0;
const databaseName = (prefix: string) => `${prefix}_${process.pid}_${counter++}`;
const databaseExists = async (name: string) => (await psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${name}'`)) === '1';
const relationsIn = async (database: string) =>
	psql(database, "SELECT coalesce(string_agg(n.nspname || '.' || c.relname, ',' ORDER BY 1), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'");

/** What a table is made of, for comparing a restored one with its source: columns and defaults, constraints, indexes, triggers. */
async function tableShape(database: string, schema: string, table: string): Promise<Record<string, string>> {
	const where = `table_schema = '${schema}' AND table_name = '${table}'`;
	return {
		columns: await psql(database, `SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-'), E'\\n' ORDER BY ordinal_position) FROM information_schema.columns WHERE ${where}`),
		constraints: await psql(database, `SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), E'\\n' ORDER BY conname) FROM pg_constraint WHERE conrelid = '${schema}.${table}'::regclass`),
		indexes: await psql(database, `SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '${schema}' AND tablename = '${table}'`),
		triggers: await psql(database, `SELECT coalesce(string_agg(pg_get_triggerdef(oid), E'\\n' ORDER BY tgname), '') FROM pg_trigger WHERE tgrelid = '${schema}.${table}'::regclass AND NOT tgisinternal`),
	};
}

describe('restore --table', () => {
	let repo: string;
	let rp: string;
	let source: string;
	const strata = async (args: string[]): Promise<StrataRun> => runStrata(['--repo', repo, ...args]);

	beforeAll(async () => {
		repo = join(makeTempDir(), 'repo');
		const cli = strataFor(repo);
		await cli.run(['init']);
		source = databaseName('tables');
		await psql('postgres', `CREATE DATABASE ${source}`);
		await psql(
			source,
			`CREATE SEQUENCE public.invoice_seq START 1000;
			SELECT setval('public.invoice_seq', 1041);
			CREATE TABLE public.customers (id serial PRIMARY KEY, email text UNIQUE, name text NOT NULL, age int CHECK (age > 0));
			CREATE INDEX customers_name ON public.customers (lower(name));
			CREATE FUNCTION public.tidy_name() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.name := trim(NEW.name); RETURN NEW; END$$;
			CREATE TRIGGER customers_tidy BEFORE INSERT ON public.customers FOR EACH ROW EXECUTE FUNCTION public.tidy_name();
			INSERT INTO public.customers (email, name, age) SELECT 'c' || g || '@example.org', 'name ' || g, 20 + g FROM generate_series(1, 7) g;
			CREATE SCHEMA sales;
			CREATE TABLE sales.orders (id bigint PRIMARY KEY DEFAULT nextval('public.invoice_seq'), amount numeric NOT NULL CHECK (amount >= 0), customer_id int REFERENCES public.customers (id));
			INSERT INTO sales.orders (amount, customer_id) SELECT g * 10, g FROM generate_series(1, 5) g;
			CREATE TABLE public.blobs (id int PRIMARY KEY, data oid);
			INSERT INTO public.blobs VALUES (1, lo_from_bytea(0, 'first large object')), (2, lo_from_bytea(0, decode(repeat('ab', 300000), 'hex')));
			SELECT lo_from_bytea(0, 'referenced by no table');
			CREATE TABLE public.dangling (id int PRIMARY KEY, data oid);
			INSERT INTO public.dangling VALUES (1, 4000000001), (2, 4000000002), (3, NULL);
			CREATE TABLE public.parent (id int);
			CREATE TABLE public.child (extra text) INHERITS (public.parent);`,
		);
		const {PGHOST, PGPORT, PGUSER} = pgSandbox();
		await cli.run(['item', 'add', 'tables', '--postgres', source, '--pg-host', PGHOST, '--pg-port', PGPORT, '--pg-user', PGUSER]);
		rp = String((await cli.backup('tables')).id);
	}, 60_000);

	it('brings a sequence the table\'s default uses but does not own, at its value, and says which foreign key it left out', async () => {
		// Given sales.orders, whose id defaults to nextval('public.invoice_seq') and which references public.customers
		const target = databaseName('orders');
		// When only sales.orders is restored
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'sales.orders']);
		// Then it has its rows, default and the sequence, which continues where the source's does
		expect(result.exitCode, result.stderr).toBe(0);
		expect(await relationsIn(target)).toBe('public.invoice_seq,sales.orders,sales.orders_pkey');
		const rows = "SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM sales.orders";
		expect(await psql(target, rows)).toBe(await psql(source, rows));
		const {columns} = await tableShape(target, 'sales', 'orders');
		expect(columns).toContain("id bigint NO nextval('invoice_seq'::regclass)");
		const next = await psql(target, 'INSERT INTO sales.orders (amount) VALUES (1) RETURNING id');
		expect(next).toBe(await psql(source, 'INSERT INTO sales.orders (amount) VALUES (1) RETURNING id'));
		expect(next).toBe('1047');
		// And the foreign key to a table the target lacks is named in one warning line
		expect(result.stderr.trim().split('\n')).toEqual(['strata: warning: foreign key orders_customer_id_fkey of sales.orders is not restored: it references public.customers, which the target database lacks']);
	});

	it('restores a table with its primary key, default, unique and check constraints, expression index and trigger', async () => {
		const target = databaseName('customers');
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'public.customers']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
		expect(await tableShape(target, 'public', 'customers')).toEqual(await tableShape(source, 'public', 'customers'));
		expect(await psql(target, 'SELECT count(*) FROM public.customers')).toBe('7');
		// The owned sequence is still owned, and continues after the restored rows
		expect(await psql(target, "SELECT pg_get_serial_sequence('public.customers', 'id')")).toBe('public.customers_id_seq');
		expect(await psql(target, "INSERT INTO public.customers (email, name) VALUES ('new@example.org', '  padded ') RETURNING id || ':' || name")).toBe('8:padded');
	});

	it('brings the large objects the table references, with their bytes, and not the others', async () => {
		const target = databaseName('blobs');
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'public.blobs']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
		const contents = "SELECT string_agg(id || ':' || data || ':' || md5(lo_get(data)), ',' ORDER BY id) FROM public.blobs";
		expect(await psql(target, contents)).toBe(await psql(source, contents));
		expect(await psql(target, "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_largeobject_metadata")).toBe(await psql(source, "SELECT string_agg(data::text, ',' ORDER BY data) FROM public.blobs"));
	});

	it('warns in one line about oids that point at no large object in the dump', async () => {
		const target = databaseName('dangling');
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'public.dangling']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr.trim().split('\n')).toEqual([`strata: warning: 2 large objects referenced by public.dangling (oid 4000000001, 4000000002) are not in rp${rp} of "tables": their oids point at nothing`]);
		expect(await psql(target, 'SELECT count(*) FROM public.dangling')).toBe('3');
	});

	it('joins a database holding other tables: a foreign key to one there is restored, an object already there is left as it is', async () => {
		// Given a database with its own public.customers and public.invoice_seq (at another value)
		const target = databaseName('join');
		await psql('postgres', `CREATE DATABASE ${target}`);
		await psql(target, 'CREATE SEQUENCE public.invoice_seq START 5000; CREATE TABLE public.customers (id int PRIMARY KEY); INSERT INTO public.customers SELECT generate_series(1, 5)');
		// When sales.orders is restored into it
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'sales.orders']);
		// Then it joins with its foreign key, and the database's own sequence keeps its value
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
		expect(await psql(target, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'orders_customer_id_fkey'")).toBe('FOREIGN KEY (customer_id) REFERENCES customers(id)');
		expect(await psql(target, 'SELECT count(*) FROM sales.orders')).toBe('5');
		expect(await psql(target, "SELECT nextval('public.invoice_seq')")).toBe('5000');
		// And a second restore of the same table is refused in one line, leaving it as it is
		const again = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'sales.orders']);
		expect(again.exitCode).toBe(1);
		expect(again.stderr.trim().split('\n'), again.stderr).toEqual([`strata: database "${target}" already has table sales.orders. Restore into another database, or rename or drop the table there first.`]);
		expect(await psql(target, 'SELECT count(*) FROM sales.orders')).toBe('5');
	});

	it('refuses a table that cannot come without another table, naming it, before creating the target database', async () => {
		const target = databaseName('child');
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'public.child']);
		expect(result.exitCode).toBe(1);
		expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
		expect(result.stderr).toMatch(/^strata: public\.child needs table public\.parent, which cannot be restored without the rest of rp\d+ of "tables"\. Restore the whole point/);
		expect(await databaseExists(target)).toBe(false);
	});

	it('restores a parent table and says in one line that its child table and the child\'s rows did not come', async () => {
		const target = databaseName('parent');
		const result = await strata(['restore', 'tables', rp, '--to-db', target, '--table', 'public.parent']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr.trim().split('\n')).toEqual(['strata: warning: public.child, a partition or child table of public.parent, is not restored (nor its rows): restore it with its own --table']);
		expect(await relationsIn(target)).toBe('public.parent');
	});

	it('leaves an existing empty target as it was when a step after the large objects fails (nothing committed halfway)', async () => {
		// Given an empty database where creating an index fails (an event trigger is not a relation: the target counts as empty)
		const target = databaseName('atomic');
		await psql('postgres', `CREATE DATABASE ${target}`);
		await psql(
			target,
			`CREATE FUNCTION public.refuse_indexes() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'no indexes here'; END$$;
			CREATE EVENT TRIGGER refuse_indexes ON ddl_command_start WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.refuse_indexes()`,
		);
		// When the whole point (tables, their rows, large objects, then indexes) is restored into it
		const result = await strata(['restore', 'tables', rp, '--to-db', target]);
		// Then the index fails the restore, and nothing before it (the large objects' own BEGIN/COMMIT included) stayed
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toMatch(/no indexes here\. The restore ran in one transaction and was rolled back/);
		expect(await relationsIn(target)).toBe('');
		expect(await psql(target, 'SELECT count(*) FROM pg_largeobject_metadata')).toBe('0');
	});
});
