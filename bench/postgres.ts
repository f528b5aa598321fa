import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../server/db/database.ts';
import { startEmbeddedPostgres } from '../server/db/embedded.ts';
import { postgresCpuCounter } from './cpu.ts';

export interface BenchDatabase {
  /** Owner connection string of the benchmark's own database. */
  url: string;
  /** Total CPU of the local PostgreSQL server and all its processes, or null when it is not local. */
  cpuMicros: (() => number) | null;
  close(): Promise<void>;
}

function withDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = '/' + database;
  return url.toString();
}

/**
 * A fresh, migrated database for one run: on the server at BENCH_DATABASE_URL when set (an owner or
 * superuser URL; a new database is created and dropped there), else on an embedded PostgreSQL in a
 * temporary folder that is removed at the end.
 */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL?.trim();
  let tmp: string | null = null;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let adminUrl: string;
  let cpuMicros: (() => number) | null = null;
  if (external) {
    adminUrl = external;
  } else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'doctors-bench-'));
    // As root, PostgreSQL runs as the unprivileged postgres user, which must be able to enter the folder.
    fs.chmodSync(tmp, 0o755);
    const embedded = await startEmbeddedPostgres(tmp, log);
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
    const pid = Number(fs.readFileSync(path.join(tmp, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    cpuMicros = postgresCpuCounter(pid);
  }
  const name = `doctors_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await migrate(url);
  return {
    url,
    cpuMicros,
    async close() {
      if (external) {
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      }
      if (stopEmbedded) await stopEmbedded();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
