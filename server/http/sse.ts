import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { can, type Role } from '../../common/permissions.ts';
import { EVENT_PERMISSION, type RealtimeEvent } from '../../common/realtime.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { after, readAfter, type Cursor, type OutboxRow, type OutboxTailer } from '../events/outbox.ts';
import { inClinic, type Actor } from '../events/transaction.ts';
import { requireActor } from './guard.ts';

interface Subscriber {
  actor: Actor;
  role: Role;
  cursor: Cursor;
  /** Events that arrived while this subscriber was still replaying its backlog. */
  pending: OutboxRow[] | null;
  write(chunk: string): void;
  end(): void;
}

export interface EventHub {
  deliver(rows: OutboxRow[]): Promise<void>;
  attach(tailer: OutboxTailer): void;
  register(app: FastifyInstance): void;
  close(): void;
  size(): number;
}

function frame(row: OutboxRow): string {
  const event: RealtimeEvent = { id: row.id, type: row.type, entityId: row.entity_id };
  return `id: ${row.id}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Fans outbox events out to the event streams of this process. Before every delivery it re-checks, in
 * one query, that each stream's session is still live and what its role is now; a stream gets only its
 * own clinic's events of the kinds its role may read. Events carry ids only.
 */
export function createEventHub(deps: { db: Db; config: Config }): EventHub {
  const subscribers = new Set<Subscriber>();
  let tailer: OutboxTailer | null = null;

  function visible(sub: Subscriber, row: OutboxRow): boolean {
    return row.clinic_id === sub.actor.clinicId && can(sub.role, EVENT_PERMISSION[row.type]) && after(row, sub.cursor);
  }

  function send(sub: Subscriber, rows: OutboxRow[]) {
    const chunks = rows.filter((row) => visible(sub, row));
    for (const row of chunks) sub.write(frame(row));
    if (rows.length > 0) {
      const last = rows[rows.length - 1];
      if (after(last, sub.cursor)) sub.cursor = { xid: BigInt(last.xid), id: BigInt(last.id) };
    }
  }

  async function recheck(subs: Subscriber[]): Promise<void> {
    if (subs.length === 0) return;
    const ids = subs.map((s) => s.actor.sessionId!);
    const { rows } = await sql<{ session_id: string; role: Role }>`
      SELECT * FROM auth_live_sessions(${ids}::uuid[], ${deps.config.sessionIdleMinutes})`.execute(deps.db);
    const live = new Map(rows.map((r) => [r.session_id, r.role]));
    for (const sub of subs) {
      const role = live.get(sub.actor.sessionId!);
      if (role) sub.role = role;
      else {
        sub.write('event: session-ended\ndata: {}\n\n');
        sub.end();
        subscribers.delete(sub);
      }
    }
  }

  async function deliver(rows: OutboxRow[]): Promise<void> {
    const clinics = new Set(rows.map((r) => r.clinic_id));
    const concerned = [...subscribers].filter((s) => clinics.has(s.actor.clinicId));
    await recheck(concerned).catch(() => {});
    for (const sub of concerned) {
      if (!subscribers.has(sub)) continue;
      if (sub.pending) sub.pending.push(...rows);
      else send(sub, rows);
    }
  }

  /** Sends what the subscriber missed since `lastEventId`, then switches it to live delivery. */
  async function replay(sub: Subscriber, lastEventId: string | undefined): Promise<void> {
    const head = tailer!.cursor();
    if (lastEventId && /^[0-9]{1,18}$/.test(lastEventId)) {
      const row = await inClinic(deps.db, sub.actor.clinicId, (conn) =>
        conn.selectFrom('outbox').select(['xid', 'id']).where('id', '=', lastEventId).executeTakeFirst(),
      );
      if (row) {
        sub.cursor = { xid: BigInt(row.xid), id: BigInt(row.id) };
        for (;;) {
          const page = (await readAfter(deps.db, sub.cursor)).filter((r) => !after(r, head));
          if (page.length === 0) break;
          send(sub, page);
        }
      } else {
        sub.write('event: resync\ndata: {}\n\n');
      }
    }
    sub.cursor = head.xid > sub.cursor.xid || (head.xid === sub.cursor.xid && head.id > sub.cursor.id) ? head : sub.cursor;
    const pending = sub.pending ?? [];
    sub.pending = null;
    send(sub, pending);
  }

  // Sessions also end without any event (idle or absolute timeout): look at every open stream's session
  // every few seconds too, so such a screen is told and cleared promptly.
  const sweep = setInterval(() => void recheck([...subscribers]).catch(() => {}), 5_000);
  sweep.unref();

  return {
    deliver,
    attach: (t) => {
      tailer = t;
    },
    size: () => subscribers.size,
    close: () => {
      clearInterval(sweep);
      for (const sub of subscribers) sub.end();
      subscribers.clear();
    },
    register(app) {
      app.get('/api/events', { config: { access: { permission: 'session.self' } } }, async (request, reply) => {
        const actor = requireActor(request);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.write('retry: 2000\n\n');
        const sub: Subscriber = {
          actor,
          role: actor.role,
          cursor: { xid: 0n, id: 0n },
          pending: [],
          write: (chunk) => void raw.write(chunk),
          end: () => raw.end(),
        };
        subscribers.add(sub);
        const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 20_000);
        request.raw.on('close', () => {
          clearInterval(heartbeat);
          subscribers.delete(sub);
        });
        const lastEventId = (request.headers['last-event-id'] as string | undefined) ?? (request.query as { lastEventId?: string }).lastEventId;
        await replay(sub, lastEventId).catch(() => sub.end());
        raw.write('event: ready\ndata: {}\n\n');
      });
    },
  };
}
