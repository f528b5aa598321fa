import fs from 'node:fs';
import readline from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';

/** Tables in the order a restore must insert them (parents first). Sessions and login failures are not kept. */
const TABLES = [
  'clinics',
  'users',
  'doctor_profiles',
  'doctor_schedule_blocks',
  'patients',
  'patient_versions',
  'appointments',
  'appointment_history',
  'visits',
  'visit_history',
  'daily_counters',
  'audit_log',
  'audit_chain',
  'outbox',
] as const;
const IDENTITY_TABLES = ['doctor_schedule_blocks', 'patient_versions', 'appointment_history', 'visit_history', 'audit_log', 'outbox'];
const FORMAT = 'doctors-system-backup';
const BATCH = 2000;

/**
 * Writes every clinic table to one gzip file of JSON lines, read in one consistent snapshot while the
 * clinic keeps working. Sessions are left out: a restored system starts with everyone signed out.
 */
export async function backup(ownerUrl: string, file: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const gzip = createGzip();
  const out = fs.createWriteStream(file, { mode: 0o600 });
  gzip.pipe(out);
  const write = (line: unknown) =>
    new Promise<void>((resolve) => (gzip.write(JSON.stringify(line) + '\n') ? resolve() : gzip.once('drain', resolve)));
  const counts: Record<string, number> = {};
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = (await client.query('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
    await write({ format: FORMAT, version: 1, createdAt: new Date().toISOString(), migrations });
    for (const table of TABLES) {
      await write({ table });
      counts[table] = 0;
      await client.query(`DECLARE rows_cursor NO SCROLL CURSOR FOR SELECT to_jsonb(t) AS row FROM ${table} t`);
      for (;;) {
        const { rows } = await client.query(`FETCH ${BATCH} FROM rows_cursor`);
        if (rows.length === 0) break;
        for (const r of rows) await write(r.row);
        counts[table] += rows.length;
      }
      await client.query('CLOSE rows_cursor');
    }
    await write({ end: true, counts });
    await client.query('COMMIT');
  } finally {
    await client.end();
    gzip.end();
    await new Promise<void>((resolve) => out.on('close', () => resolve()));
  }
  return counts;
}

async function insertBatch(client: pg.Client, table: string, rows: Record<string, unknown>[]) {
  if (rows.length === 0) return;
  const overriding = IDENTITY_TABLES.includes(table) ? 'OVERRIDING SYSTEM VALUE' : '';
  // Staff may have been created by staff created later: link them after all users exist.
  const data = table === 'users' ? rows.map((r) => ({ ...r, created_by: null })) : rows;
  await client.query(`INSERT INTO ${table} ${overriding} SELECT * FROM jsonb_populate_recordset(null::${table}, $1::jsonb)`, [JSON.stringify(data)]);
  if (table === 'users') {
    await client.query(
      `UPDATE users u SET created_by = r.created_by FROM jsonb_populate_recordset(null::users, $1::jsonb) r WHERE u.id = r.id AND r.created_by IS NOT NULL`,
      [JSON.stringify(rows)],
    );
  }
}

/** Restores a backup into a freshly migrated, empty database, in one transaction: all or nothing. */
export async function restore(ownerUrl: string, file: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const counts: Record<string, number> = {};
  try {
    await client.query('BEGIN');
    if ((await client.query('SELECT 1 FROM clinics LIMIT 1')).rowCount) throw new Error('the database already holds a clinic; restore only into an empty one');
    let header: { format?: string; migrations?: string[] } | null = null;
    let table: string | null = null;
    let batch: Record<string, unknown>[] = [];
    let finished = false;
    for await (const line of lines) {
      if (!line) continue;
      const item = JSON.parse(line);
      if (!header) {
        if (item.format !== FORMAT) throw new Error('this file is not a Doctors-System backup');
        header = item;
        const applied = (await client.query('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
        const missing = (item.migrations as string[]).filter((m) => !applied.includes(m));
        if (missing.length) throw new Error(`the backup needs a newer version of Doctors-System (migrations ${missing.join(', ')})`);
        continue;
      }
      if (item.table || item.end) {
        if (table) await insertBatch(client, table, batch);
        batch = [];
        if (item.end) {
          finished = true;
          break;
        }
        if (!(TABLES as readonly string[]).includes(item.table)) throw new Error(`unknown table ${item.table} in backup`);
        table = item.table;
        counts[item.table] = 0;
        continue;
      }
      batch.push(item);
      counts[table!]++;
      if (batch.length >= BATCH) {
        await insertBatch(client, table!, batch);
        batch = [];
      }
    }
    if (!finished) throw new Error('the backup file is incomplete');
    for (const t of IDENTITY_TABLES) {
      await client.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`);
    }
    await client.query('COMMIT');
    return counts;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
