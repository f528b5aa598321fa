import { sql, type Kysely } from 'kysely';
import { ACTIVE_VISIT_STATUSES, type Visit, type VisitStatus } from '../../../common/visits.ts';
import type { Database } from '../../db/schema.ts';
import { displayNames } from '../patients/patients.queries.ts';

function visitQuery(db: Kysely<Database>) {
  return db
    .selectFrom('visits as v')
    // A lateral one-row look-up per visit: under row-level security the planner otherwise prefers
    // hashing the whole patients table (100,000 rows) to fetch the few on today's board.
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('patients')
          .select(['mrn', 'given_name_latin', 'family_name_latin', 'given_name_arabic', 'family_name_arabic'])
          .whereRef('patients.id', '=', 'v.patient_id')
          .limit(1)
          .as('p'),
      (join) => join.onTrue(),
    )
    .leftJoin('users as d', 'd.id', 'v.doctor_id')
    .select([
      'v.id',
      'v.patient_id',
      'p.mrn',
      'p.given_name_latin',
      'p.family_name_latin',
      'p.given_name_arabic',
      'p.family_name_arabic',
      'v.doctor_id',
      'd.display_name as doctor_name',
      'v.appointment_id',
      'v.queue_number',
      'v.status',
      'v.checked_in_at',
      'v.status_changed_at',
      'v.version',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof visitQuery>['executeTakeFirstOrThrow']>>;

function toVisit(r: Row): Visit {
  return {
    id: r.id,
    patientId: r.patient_id,
    patientName: displayNames(r).displayName,
    patientNameArabic: displayNames(r).displayNameArabic,
    patientMrn: r.mrn,
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    appointmentId: r.appointment_id,
    queueNumber: r.queue_number,
    status: r.status as VisitStatus,
    checkedInAt: r.checked_in_at.toISOString(),
    statusChangedAt: r.status_changed_at.toISOString(),
    version: r.version,
  };
}

export async function findVisit(db: Kysely<Database>, id: string): Promise<Visit | null> {
  const row = await visitQuery(db).where('v.id', '=', id).executeTakeFirst();
  return row ? toVisit(row) : null;
}

/** Today's visits plus any still active from earlier days, in queue order: one query however many. */
export async function boardVisits(db: Kysely<Database>, day: string): Promise<Visit[]> {
  const rows = await visitQuery(db)
    .where((eb) => eb.or([eb('v.clinic_day', '=', day), eb('v.status', 'in', ACTIVE_VISIT_STATUSES as VisitStatus[])]))
    .orderBy('v.clinic_day')
    .orderBy('v.queue_number')
    .execute();
  return rows.map(toVisit);
}

/** Patients waiting for this doctor (or for any doctor), and the one in consultation with them. */
export async function doctorQueue(db: Kysely<Database>, doctorId: string): Promise<Visit[]> {
  const rows = await visitQuery(db)
    .where('v.status', 'in', ['awaiting_payment', 'waiting', 'in_consultation', 'awaiting_results'])
    .where((eb) => eb.or([eb('v.doctor_id', '=', doctorId), eb('v.doctor_id', 'is', null)]))
    .orderBy('v.clinic_day')
    .orderBy('v.queue_number')
    .execute();
  return rows.map(toVisit);
}

export async function nextQueueNumber(db: Kysely<Database>, clinicId: string, day: string): Promise<number> {
  const row = await db
    .insertInto('daily_counters')
    .values({ clinic_id: clinicId, clinic_day: day, kind: 'queue', value: 1 })
    .onConflict((oc) => oc.columns(['clinic_id', 'clinic_day', 'kind']).doUpdateSet({ value: sql`daily_counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function activeVisitOf(db: Kysely<Database>, patientId: string) {
  return db
    .selectFrom('visits')
    .select(['id', 'status', 'queue_number'])
    .where('patient_id', '=', patientId)
    .where('status', 'in', ACTIVE_VISIT_STATUSES as VisitStatus[])
    .executeTakeFirst();
}

export async function addVisitHistory(
  db: Kysely<Database>,
  row: { clinic_id: string; visit_id: string; from_status: string | null; to_status: string; by_user: string; reason: string | null },
) {
  await db.insertInto('visit_history').values(row).execute();
}

export async function visitHistory(db: Kysely<Database>, visitId: string) {
  return db
    .selectFrom('visit_history as h')
    .innerJoin('users as u', 'u.id', 'h.by_user')
    .select(['h.from_status', 'h.to_status', 'h.at', 'u.display_name', 'h.reason'])
    .where('h.visit_id', '=', visitId)
    .orderBy('h.id')
    .execute();
}
