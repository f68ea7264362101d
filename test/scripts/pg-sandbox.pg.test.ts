import {join} from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {pgEnv, pgSandbox} from '../helpers/pg.js';

/** Runs one SQL statement with the sandbox's psql through libpq's environment variables only. */
async function psql(sql: string) {
	return execa(join(pgSandbox().PGBIN, 'psql'), ['-X', '-Atc', sql], {env: pgEnv(), reject: false, stdin: 'ignore'});
}

describe('pg-sandbox', () => {
	it('serves a real PostgreSQL on its own socket', async () => {
		const result = await psql('select 1');
		expect(result.stderr).toBe('');
		expect(result.stdout).toBe('1');
	});

	it('listens on the unix socket in its temp folder only, never on TCP', async () => {
		const {PGSANDBOX} = pgSandbox();
		expect((await psql('show listen_addresses')).stdout).toBe('');
		expect((await psql('show unix_socket_directories')).stdout).toBe(PGSANDBOX);
		expect((await psql('show data_directory')).stdout).toBe(join(PGSANDBOX, 'data'));
	});

	it('asks the strata_pw role for a scram-sha-256 password before trusting everyone else', async () => {
		const rules = await psql("select user_name[1] || ' ' || auth_method from pg_hba_file_rules where type = 'local' order by line_number");
		expect(rules.stdout.split('\n')).toEqual(['strata_pw scram-sha-256', 'all trust']);
	});
});
