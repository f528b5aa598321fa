import { sql } from 'kysely';
import type { EventType } from '../../common/realtime.ts';
import type { Db } from '../db/database.ts';

export interface OutboxRow {
  id: string;
  clinic_id: string;
  xid: string;
  type: EventType;
  entity_id: string;
}

export interface Cursor {
  xid: bigint;
  id: bigint;
}

export function after(row: { xid: string; id: string }, cursor: Cursor): boolean {
  const xid = BigInt(row.xid);
  return xid > cursor.xid || (xid === cursor.xid && BigInt(row.id) > cursor.id);
}

const PAGE = 500;

export async function readAfter(db: Db, cursor: Cursor, limit = PAGE): Promise<OutboxRow[]> {
  const { rows } = await sql<OutboxRow>`SELECT * FROM outbox_after(${String(cursor.xid)}::xid8, ${String(cursor.id)}, ${limit})`.execute(db);
  return rows;
}

export interface OutboxTailer {
  cursor(): Cursor;
  /** Poll now instead of at the next tick: called after a local commit that wrote events. */
  wake(): void;
  stop(): void;
}

/**
 * Follows the outbox for this process. Every instance runs one, so an event committed through any
 * instance reaches the browsers connected to all of them. Polling at a short interval plus a local
 * wake-up after each commit keeps delivery well under a second without a NOTIFY per transaction.
 */
export async function startOutboxTailer(
  db: Db,
  onEvents: (rows: OutboxRow[]) => Promise<void> | void,
  intervalMs = 250,
): Promise<OutboxTailer> {
  const { rows } = await sql<{ xid: string; id: string }>`SELECT * FROM outbox_head()`.execute(db);
  let position: Cursor = { xid: BigInt(rows[0].xid), id: BigInt(rows[0].id) };
  let running = false;
  let again = false;
  let stopped = false;

  async function poll(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const batch = await readAfter(db, position);
        if (batch.length > 0) {
          const last = batch[batch.length - 1];
          position = { xid: BigInt(last.xid), id: BigInt(last.id) };
          await onEvents(batch);
          if (batch.length === PAGE) again = true;
        }
      } while (again && !stopped);
    } catch {
      // The database may be briefly unreachable; the next tick tries again from the same cursor.
    } finally {
      running = false;
    }
  }

  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return {
    cursor: () => position,
    wake: () => void poll(),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
