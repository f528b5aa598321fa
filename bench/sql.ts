import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { foldForSearch } from '../common/patients.ts';
import { ACTIVE_VISIT_STATUSES } from '../common/visits.ts';
import type { Database } from '../server/db/schema.ts';
import { searchPatients, searchTermsOf } from '../server/features/patients/patients.queries.ts';
import { boardVisits, findVisit } from '../server/features/visits/visits.queries.ts';

/**
 * The statements the application's search, board and check-in send, for the bare baseline and for
 * EXPLAIN. Search, board and the returned visit are compiled from the application's own query functions;
 * the check-in's writes are written out as Kysely compiles them. The run checks every one against the
 * application's own query log, so the baseline measures the same database work.
 */

/** server/main.ts's default pool size; both servers under test use it. */
export const BENCH_POOL_SIZE = 20;

export interface Statement {
  text: string;
  values: unknown[];
}

/** inClinic's first round trip: BEGIN and the clinic setting together. */
export function beginInClinic(clinicId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(clinicId)) throw new Error('clinic id must be a uuid');
  return `BEGIN; SELECT set_config('app.clinic_id', '${clinicId}', true)`;
}

/**
 * Runs the application's own query functions against a Kysely that compiles but never connects (its
 * driver answers every query with no rows) and returns the statements they would have sent. The
 * baseline and EXPLAIN thus use the very SQL the application sends, and cannot drift from it.
 */
async function captured(run: (db: Kysely<Database>) => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      statements.push({ text: event.query.sql, values: [...event.query.parameters] });
    },
  });
  await run(db);
  return statements;
}

async function single(run: (db: Kysely<Database>) => Promise<unknown>): Promise<Statement> {
  const statements = await captured(run);
  if (statements.length !== 1) throw new Error(`expected one statement, got ${statements.length}`);
  return statements[0];
}

/** patients.service.ts searchPatients for a search box's text; null when the text asks for nothing. */
export async function searchStatement(text: string, limit = 20): Promise<Statement | null> {
  const statements = await captured((db) => searchPatients(db, searchTermsOf(foldForSearch(text)), limit));
  return statements[0] ?? null;
}

export const CLINIC_BOARD_SETTINGS = 'select "time_zone", "wait_threshold_minutes" from "clinics"';

/** visits.queries.ts boardVisits: today's visits and any still active, in queue order. */
export function boardStatement(day: string): Promise<Statement> {
  return single((db) => boardVisits(db, day));
}

/** visits.queries.ts findVisit: one visit as the API returns it. */
export function findVisitStatement(visitId: string): Promise<Statement> {
  return single((db) => findVisit(db, visitId));
}

/** The domain statements of visits.service.ts checkIn for a walk-in, in order, without audit and outbox. */
export const CHECK_IN = {
  clinicTimeZone: 'select "time_zone" from "clinics"',
  patientExists: (patientId: string): Statement => ({ text: 'select "id" from "patients" where "id" = $1', values: [patientId] }),
  activeVisit: (patientId: string): Statement => ({
    text: 'select "id", "status", "queue_number" from "visits" where "patient_id" = $1 and "status" in ($2, $3, $4, $5)',
    values: [patientId, ...ACTIVE_VISIT_STATUSES],
  }),
  nextQueueNumber: (clinicId: string, day: string): Statement => ({
    text: 'insert into "daily_counters" ("clinic_id", "clinic_day", "kind", "value") values ($1, $2, $3, $4) on conflict ("clinic_id", "clinic_day", "kind") do update set "value" = daily_counters.value + 1 returning "value"',
    values: [clinicId, day, 'queue', 1],
  }),
  insertVisit: (v: { id: string; clinicId: string; patientId: string; day: string; queueNumber: number; userId: string; now: Date }): Statement => ({
    text: 'insert into "visits" ("id", "clinic_id", "patient_id", "doctor_id", "appointment_id", "clinic_day", "queue_number", "status", "checked_in_at", "status_changed_at", "created_by") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
    values: [v.id, v.clinicId, v.patientId, null, null, v.day, v.queueNumber, 'waiting', v.now, v.now, v.userId],
  }),
  insertHistory: (h: { clinicId: string; visitId: string; userId: string }): Statement => ({
    text: 'insert into "visit_history" ("clinic_id", "visit_id", "from_status", "to_status", "by_user", "reason") values ($1, $2, $3, $4, $5, $6)',
    values: [h.clinicId, h.visitId, null, 'waiting', h.userId, null],
  }),
};
