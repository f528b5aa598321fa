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

/**
 * The domain statements of visits.service.ts checkIn for a walk-in, in order, without audit and outbox:
 * the clinic has a general consultation price, so the visit awaits payment of its charge.
 */
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
  consultationPrice: {
    text: 'select * from "services" where "kind" = $1 and "consultation_type" = $2 and "active" = $3',
    values: ['consultation', 'general', true],
  } as Statement,
  insertVisit: (v: { id: string; clinicId: string; patientId: string; day: string; queueNumber: number; userId: string; now: Date }): Statement => ({
    text: 'insert into "visits" ("id", "clinic_id", "patient_id", "doctor_id", "appointment_id", "clinic_day", "queue_number", "status", "checked_in_at", "status_changed_at", "created_by") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
    values: [v.id, v.clinicId, v.patientId, null, null, v.day, v.queueNumber, 'awaiting_payment', v.now, v.now, v.userId],
  }),
  insertHistory: (h: { clinicId: string; visitId: string; userId: string }): Statement => ({
    text: 'insert into "visit_history" ("clinic_id", "visit_id", "from_status", "to_status", "by_user", "reason") values ($1, $2, $3, $4, $5, $6)',
    values: [h.clinicId, h.visitId, null, 'awaiting_payment', h.userId, null],
  }),
  insertCharge: (c: { id: string; clinicId: string; patientId: string; visitId: string; service: Record<string, any>; userId: string; now: Date }): Statement => ({
    text: 'insert into "charges" ("id", "clinic_id", "patient_id", "visit_id", "service_id", "kind", "code", "name_en", "name_ar", "amount_minor", "tax_rate_bp", "tax_minor", "status", "created_by", "created_at", "status_changed_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
    values: [c.id, c.clinicId, c.patientId, c.visitId, c.service.id, c.service.kind, c.service.code, c.service.name_en, c.service.name_ar, Number(c.service.price_minor), c.service.tax_rate_bp, 0, 'pending', c.userId, c.now, c.now],
  }),
  chargeHistory: (h: { clinicId: string; chargeId: string; userId: string }): Statement => ({
    text: 'insert into "charge_history" ("clinic_id", "charge_id", "from_status", "to_status", "by_user", "reason") values ($1, $2, $3, $4, $5, $6)',
    values: [h.clinicId, h.chargeId, null, 'pending', h.userId, null],
  }),
};

/**
 * The domain statements of billing.service.ts pay() for one consultation charge of a visit awaiting
 * payment, in order, without the session lookup and the audit/outbox insert: as Kysely compiles them.
 */
export const PAYMENT = {
  patient: (patientId: string): Statement => ({
    text: 'select "id", "mrn", "given_name_latin", "family_name_latin", "given_name_arabic", "family_name_arabic" from "patients" where "id" = $1',
    values: [patientId],
  }),
  insertPayment: (p: { id: string; clinicId: string; patientId: string; key: string; hash: string; total: number; userId: string; now: Date }): Statement => ({
    text: 'insert into "payments" ("id", "clinic_id", "patient_id", "idempotency_key", "request_hash", "total_minor", "received_by", "received_at") values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict ("clinic_id", "idempotency_key") do nothing returning "id"',
    values: [p.id, p.clinicId, p.patientId, p.key, p.hash, p.total, p.userId, p.now],
  }),
  lockVisits: (chargeId: string): Statement => ({
    text: 'select "id", "status", "patient_id" from "visits" where "id" in (select "visit_id" from "charges" where "id" in ($1) and "visit_id" is not null) order by "id" for update',
    values: [chargeId],
  }),
  lockCharges: (chargeId: string): Statement => ({ text: 'select * from "charges" where "id" in ($1) order by "id" for update', values: [chargeId] }),
  markPaid: (c: { chargeId: string; paymentId: string; version: number; now: Date }): Statement => ({
    text: 'update "charges" set "status" = $1, "payment_id" = $2, "deferred" = $3, "status_changed_at" = $4, "version" = $5 where "id" = $6',
    values: ['paid', c.paymentId, false, c.now, c.version + 1, c.chargeId],
  }),
  chargeHistory: (h: { clinicId: string; chargeId: string; userId: string }): Statement => ({
    text: 'insert into "charge_history" ("clinic_id", "charge_id", "from_status", "to_status", "by_user", "reason") values ($1, $2, $3, $4, $5, $6)',
    values: [h.clinicId, h.chargeId, 'pending', 'paid', h.userId, null],
  }),
  paymentPart: (p: { clinicId: string; paymentId: string; amount: number }): Statement => ({
    text: 'insert into "payment_parts" ("clinic_id", "payment_id", "method", "amount_minor", "tendered_minor", "reference") values ($1, $2, $3, $4, $5, $6)',
    values: [p.clinicId, p.paymentId, 'cash', p.amount, p.amount, null],
  }),
  clinicFacts: 'select "name", "currency", "time_zone" from "clinics"',
  nextInvoiceNumber: (clinicId: string, year: number): Statement => ({
    text: 'insert into "document_counters" ("clinic_id", "series", "year", "last_value") values ($1, $2, $3, $4) on conflict ("clinic_id", "series", "year") do update set "last_value" = document_counters.last_value + 1 returning "last_value"',
    values: [clinicId, 'INV', year, 1],
  }),
  insertInvoice: (i: { id: string; clinicId: string; year: number; seq: number; number: string; paymentId: string; patientId: string; currency: string; total: number; snapshot: string; now: Date; userId: string }): Statement => ({
    text: 'insert into "invoices" ("id", "clinic_id", "year", "seq", "number", "payment_id", "patient_id", "currency", "subtotal_minor", "tax_minor", "total_minor", "snapshot", "issued_at", "issued_by") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)',
    values: [i.id, i.clinicId, i.year, i.seq, i.number, i.paymentId, i.patientId, i.currency, i.total, 0, i.total, i.snapshot, i.now, i.userId],
  }),
  cleared: (visitId: string): Statement => ({ text: 'SELECT billing_cleared($1, $2) AS cleared', values: [visitId, 'consultation'] }),
  releaseVisit: (visitId: string, now: Date): Statement => ({
    text: 'update "visits" set "status" = $1, "status_changed_at" = $2, "version" = version + 1 where "id" = $3',
    values: ['waiting', now, visitId],
  }),
  visitHistory: (h: { clinicId: string; visitId: string; userId: string }): Statement => ({
    text: 'insert into "visit_history" ("clinic_id", "visit_id", "from_status", "to_status", "by_user", "reason") values ($1, $2, $3, $4, $5, $6)',
    values: [h.clinicId, h.visitId, 'awaiting_payment', 'waiting', h.userId, 'paid'],
  }),
  invoiceOfPayment: (paymentId: string): Statement => ({
    text: 'select "i"."id", "i"."number", "i"."payment_id", "i"."patient_id", "i"."issued_at", "i"."currency", "i"."total_minor", "i"."snapshot", "u"."display_name" as "issued_by_name" from "invoices" as "i" inner join "users" as "u" on "u"."id" = "i"."issued_by" where "i"."payment_id" = $1',
    values: [paymentId],
  }),
  creditNotes: (invoiceId: string): Statement => ({
    text: 'select "n"."id", "n"."invoice_id", "n"."number", "n"."total_minor", "n"."method", "n"."reason", "n"."issued_at", "u"."display_name" from "credit_notes" as "n" inner join "users" as "u" on "u"."id" = "n"."issued_by" where "n"."invoice_id" in ($1) order by "n"."seq"',
    values: [invoiceId],
  }),
};
