import { sql, type Kysely } from 'kysely';
import { AppError } from '../../common/errors.ts';
import type { Role } from '../../common/permissions.ts';
import type { EventType } from '../../common/realtime.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/** The logged-in person an action is tied to. */
export interface Actor {
  userId: string;
  clinicId: string;
  role: Role;
  sessionId: string | null;
  ip: string | null;
  displayName: string;
  /** Assignable permissions this person holds on top of their role. */
  grants?: readonly string[];
}

export interface AuditFacts {
  action?: string;
  entityType?: string;
  entityId?: string | null;
  patientId?: string | null;
  details?: Record<string, unknown>;
}

export interface Tx {
  db: Kysely<Database>;
  actor: Actor;
  audit(facts: AuditFacts): void;
  emit(type: EventType, entityId: string): void;
}

export interface TxDeps {
  db: Db;
  /** Called after every commit that emitted events, to wake the local outbox tailer at once. */
  onEventsCommitted?: () => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in one transaction scoped to a clinic: row-level security sees only that clinic. BEGIN and
 * the clinic setting travel in one round trip.
 */
export async function inClinic<T>(db: Db, clinicId: string, fn: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
  if (!UUID.test(clinicId)) throw new Error('clinic id must be a uuid');
  return db.connection().execute(async (conn) => {
    await sql.raw(`BEGIN; SELECT set_config('app.clinic_id', '${clinicId}', true)`).execute(conn);
    try {
      const result = await fn(conn);
      await sql.raw('COMMIT').execute(conn);
      return result;
    } catch (error) {
      await sql.raw('ROLLBACK').execute(conn).catch(() => {});
      throw error;
    }
  });
}

type AuditRecord = AuditFacts & { action: string };
type EventRecord = { type: EventType; entityId: string };

async function flush(conn: Kysely<Database>, actor: Actor, audits: AuditRecord[], outcome: string, events: EventRecord[]) {
  // Audit rows and events go in one statement: one round trip however many there are.
  const auditRows = audits.map((a) => ({
    clinic_id: actor.clinicId,
    actor_id: actor.userId,
    session_id: actor.sessionId,
    ip: actor.ip,
    action: a.action,
    entity_type: a.entityType ?? null,
    entity_id: a.entityId ?? null,
    patient_id: a.patientId ?? null,
    outcome,
    // The whole batch is serialised once below; encoding details here too would store a JSON string.
    details: a.details ?? null,
  }));
  const eventRows = events.map((e) => ({ clinic_id: actor.clinicId, type: e.type, entity_id: e.entityId }));
  await sql`
    WITH audit AS (
      INSERT INTO audit_log (clinic_id, actor_id, session_id, ip, action, entity_type, entity_id, patient_id, outcome, details)
      SELECT clinic_id, actor_id, session_id, ip, action, entity_type, entity_id, patient_id, outcome, details
      FROM jsonb_to_recordset(${JSON.stringify(auditRows)}::jsonb) AS r(
        clinic_id uuid, actor_id uuid, session_id uuid, ip text, action text, entity_type text, entity_id uuid,
        patient_id uuid, outcome text, details jsonb)
    )
    INSERT INTO outbox (clinic_id, type, entity_id)
    SELECT clinic_id, type, entity_id
    FROM jsonb_to_recordset(${JSON.stringify(eventRows)}::jsonb) AS e(clinic_id uuid, type text, entity_id uuid)
  `.execute(conn);
}

/**
 * The one way to change clinic data: runs `fn` in a clinic-scoped transaction and writes its audit rows
 * and outbox events in that same transaction. No audit row, no commit. A refusal (AppError) rolls the
 * work back and is itself recorded as a refused action.
 */
export async function writeTx<T>(deps: TxDeps, actor: Actor, action: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const audits: AuditRecord[] = [];
  const events: EventRecord[] = [];
  try {
    const result = await inClinic(deps.db, actor.clinicId, async (conn) => {
      const value = await fn({
        db: conn,
        actor,
        audit: (facts) => audits.push({ ...facts, action: facts.action ?? action }),
        emit: (type, entityId) => events.push({ type, entityId }),
      });
      if (audits.length === 0) throw new Error(`${action} wrote no audit row`);
      await flush(conn, actor, audits, 'success', events);
      return value;
    });
    if (events.length > 0) deps.onEventsCommitted?.();
    return result;
  } catch (error) {
    if (error instanceof AppError) await recordRefusal(deps.db, actor, action, error, audits[0]);
    throw error;
  }
}

async function recordRefusal(db: Db, actor: Actor, action: string, error: AppError, facts?: AuditFacts) {
  await inClinic(db, actor.clinicId, (conn) =>
    flush(conn, actor, [{ ...facts, action, details: { code: error.code } }], error.code === 'forbidden' ? 'denied' : 'refused', []),
  ).catch(() => {});
}

/** Records an action refused before any work began (permission denied, for instance). */
export async function auditDenied(db: Db, actor: Actor, action: string): Promise<void> {
  await inClinic(db, actor.clinicId, (conn) => flush(conn, actor, [{ action, details: { code: 'forbidden' } }], 'denied', [])).catch(
    () => {},
  );
}

/** True when a PostgreSQL error is the violation of the named constraint or index. */
export function violates(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return (e.code === '23505' || e.code === '23P01' || e.code === '23503') && e.constraint === constraint;
}
