import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// Dates stay 'YYYY-MM-DD' strings (no time-zone shift); bigints stay strings (no silent precision loss).
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.DATE) return (value: string) => value;
    if (oid === pg.types.builtins.INT8) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

export interface DbOptions {
  /** The pool size per process; PostgreSQL's max_connections bounds the total over all instances. */
  poolSize?: number;
  /**
   * Run every query as this role. The application uses `doctors_app`, which owns nothing and is not a
   * superuser, so row-level security applies to it; migrations run as the connecting owner.
   */
  role?: 'doctors_app';
  /** Receives every query Kysely runs, with its duration; the benchmark counts round trips with it. */
  log?: (event: LogEvent) => void;
}

export function createPool(url: string, options: DbOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types });
  // An idle client that loses its server emits 'error'; without a listener that would crash the process.
  pool.on('error', () => {});
  return pool;
}

export function createDb(url: string, options: DbOptions = {}): Db {
  const setRole = options.role ? CompiledQuery.raw(`SET ROLE ${options.role}`) : null;
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: createPool(url, options),
      // Awaited before the connection is first used, so no query ever runs with the owner's rights.
      onCreateConnection: setRole ? async (connection) => void (await connection.executeQuery(setRole)) : undefined,
    }),
    ...(options.log && { log: options.log }),
  });
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_LOCK = 727_001;

/** Applies the forward-only SQL migrations not yet applied, one transaction each, under an advisory lock. */
export async function migrate(url: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const pending = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && !done.has(f)).sort();
    for (const name of pending) {
      const sqlText = fs.readFileSync(path.join(MIGRATIONS_DIR, name), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sqlText);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
        log(`Applied migration ${name}.`);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`);
      }
    }
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}
