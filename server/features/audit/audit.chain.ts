import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../db/database.ts';

const SEAL_LOCK = 727_003;
const BATCH = 1000;

function link(previous: Buffer, rowText: string, key: Buffer) {
  const hash = createHash('sha256').update(previous).update(rowText).digest();
  return { hash, mac: createHmac('sha256', key).update(hash).digest() };
}

/**
 * Appends every finished, not yet chained audit row to the hash chain. Only one process seals at a time
 * (advisory lock); others skip the round. Returns how many rows were sealed.
 */
export async function sealAuditRows(db: Db, key: Buffer): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows: lock } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${SEAL_LOCK}) AS ok`.execute(trx);
    if (!lock[0].ok) return 0;
    const { rows: heads } = await sql<{ seq: string; hash: Buffer; audit_xid: string; audit_id: string }>`SELECT * FROM audit_chain_head()`.execute(trx);
    let { seq, hash } = { seq: BigInt(heads[0].seq), hash: heads[0].hash };
    let cursor = { xid: heads[0].audit_xid, id: heads[0].audit_id };
    let sealed = 0;
    for (;;) {
      const { rows } = await sql<{ id: string; xid: string; row_text: string }>`
        SELECT * FROM audit_unsealed(${cursor.xid}::xid8, ${cursor.id}, ${BATCH})`.execute(trx);
      if (rows.length === 0) break;
      const links = rows.map((row) => {
        seq += 1n;
        const next = link(hash, row.row_text, key);
        hash = next.hash;
        return { seq: String(seq), auditId: row.id, auditXid: row.xid, hash: next.hash.toString('hex'), mac: next.mac.toString('hex') };
      });
      await sql`SELECT audit_seal(${JSON.stringify(links)}::jsonb)`.execute(trx);
      sealed += rows.length;
      cursor = { xid: rows[rows.length - 1].xid, id: rows[rows.length - 1].id };
      if (rows.length < BATCH) break;
    }
    return sealed;
  });
}

export interface ChainReport {
  checked: number;
  unsealed: number;
  problems: string[];
}

/**
 * Recomputes the whole chain from the audit rows as they are now. A changed, deleted, inserted or
 * reordered row breaks a hash or a seal, and the report says which. Runs as the database owner.
 */
export async function verifyAuditChain(ownerUrl: string, key: Buffer): Promise<ChainReport> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const problems: string[] = [];
  let checked = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE chain NO SCROLL CURSOR FOR
      SELECT c.seq, c.audit_id, c.hash, c.mac, a.id IS NULL AS missing, audit_row_text(a) AS row_text
      FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id ORDER BY c.seq`);
    let previous = Buffer.alloc(0);
    let expectedSeq = 1n;
    for (;;) {
      const { rows } = await client.query('FETCH 2000 FROM chain');
      if (rows.length === 0) break;
      for (const row of rows) {
        checked++;
        const seq = BigInt(row.seq);
        if (seq !== expectedSeq) problems.push(`chain link ${expectedSeq} is missing (next is ${seq})`);
        expectedSeq = seq + 1n;
        if (row.missing) {
          problems.push(`audit row ${row.audit_id} (link ${seq}) was deleted`);
          previous = row.hash;
          continue;
        }
        const expected = link(previous, row.row_text, key);
        if (!timingSafeEqual(expected.mac, row.mac) || !expected.hash.equals(row.hash)) {
          problems.push(`audit row ${row.audit_id} (link ${seq}) was changed, or the chain was rewritten`);
        }
        previous = row.hash;
      }
    }
    await client.query('CLOSE chain');
    // A row older than the sealed horizon yet not in the chain was slipped in afterwards.
    const { rows: slipped } = await client.query(`
      SELECT a.id FROM audit_log a
      WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)
        AND (a.xid, a.id) < (SELECT h.audit_xid, h.audit_id FROM audit_chain_head() h)
      ORDER BY a.id LIMIT 100`);
    for (const r of slipped) problems.push(`audit row ${r.id} was inserted into the sealed part of the trail`);
    const { rows: pending } = await client.query(`
      SELECT count(*)::int AS n FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)`);
    await client.query('COMMIT');
    return { checked, unsealed: pending[0].n - slipped.length, problems };
  } finally {
    await client.end();
  }
}

/** Seals new audit rows every few seconds in the background; one process of an installation wins each round. */
export function startAuditSealer(db: Db, key: Buffer, intervalMs = 2000): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => sealAuditRows(db, key)).catch(() => {});
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
