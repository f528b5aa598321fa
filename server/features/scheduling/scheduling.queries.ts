import { sql, type Kysely } from 'kysely';
import type { Appointment } from '../../../common/scheduling.ts';
import type { Database } from '../../db/schema.ts';
import { displayNames } from '../patients/patients.queries.ts';

function appointmentQuery(db: Kysely<Database>) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('users as d', 'd.id', 'a.doctor_id')
    // One-row look-up per appointment, for the same planner reason as the visit board.
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('patients')
          .select(['mrn', 'given_name_latin', 'family_name_latin', 'given_name_arabic', 'family_name_arabic'])
          .whereRef('patients.id', '=', 'a.patient_id')
          .limit(1)
          .as('p'),
      (join) => join.onTrue(),
    )
    .select([
      'a.id',
      'a.doctor_id',
      'd.display_name as doctor_name',
      'a.patient_id',
      'p.mrn',
      'p.given_name_latin',
      'p.family_name_latin',
      'p.given_name_arabic',
      'p.family_name_arabic',
      'a.starts_at',
      'a.ends_at',
      'a.status',
      'a.reason',
      'a.cancel_reason',
      'a.version',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof appointmentQuery>['executeTakeFirstOrThrow']>>;

function toAppointment(r: Row): Appointment {
  return {
    id: r.id,
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    patientId: r.patient_id,
    patientName: displayNames(r).displayName,
    patientNameArabic: displayNames(r).displayNameArabic,
    patientMrn: r.mrn,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    status: r.status,
    reason: r.reason,
    cancelReason: r.cancel_reason,
    version: r.version,
  };
}

export async function listAppointments(
  db: Kysely<Database>,
  range: { from: Date; to: Date; doctorId?: string; patientId?: string },
): Promise<Appointment[]> {
  let query = appointmentQuery(db).where('a.starts_at', '>=', range.from).where('a.starts_at', '<', range.to).orderBy('a.starts_at');
  if (range.doctorId) query = query.where('a.doctor_id', '=', range.doctorId);
  if (range.patientId) query = query.where('a.patient_id', '=', range.patientId);
  return (await query.execute()).map(toAppointment);
}

export async function findAppointment(db: Kysely<Database>, id: string): Promise<Appointment | null> {
  const row = await appointmentQuery(db).where('a.id', '=', id).executeTakeFirst();
  return row ? toAppointment(row) : null;
}

export async function lockAppointment(db: Kysely<Database>, id: string) {
  return db.selectFrom('appointments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Advisory-lock namespace (first key of the two-key form) for one doctor's bookings. */
const DOCTOR_BOOKINGS_LOCK = 7301;

/**
 * Serialises the bookings and reschedules of one doctor until the transaction ends. The exclusion
 * constraint alone keeps appointments from overlapping, but two transactions inserting conflicting rows
 * at the same instant each wait on the other's index entry and PostgreSQL breaks the tie with a deadlock
 * error; taken first, this lock turns that into an orderly wait and a clean overlap refusal.
 */
export async function lockDoctorBookings(db: Kysely<Database>, doctorId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${DOCTOR_BOOKINGS_LOCK}, hashtext(${doctorId}))`.execute(db);
}

export async function doctorWithSchedule(db: Kysely<Database>, doctorId: string, weekday: number) {
  const doctor = await db
    .selectFrom('users')
    .innerJoin('doctor_profiles', 'doctor_profiles.user_id', 'users.id')
    .select(['users.id', 'users.display_name', 'users.active', 'doctor_profiles.slot_minutes'])
    .where('users.id', '=', doctorId)
    .where('users.role', '=', 'doctor')
    .executeTakeFirst();
  if (!doctor) return null;
  const blocks = await db
    .selectFrom('doctor_schedule_blocks')
    .select(['start_time', 'end_time'])
    .where('doctor_id', '=', doctorId)
    .where('weekday', '=', weekday)
    .orderBy('start_time')
    .execute();
  return { ...doctor, blocks: blocks.map((b) => ({ start: b.start_time.slice(0, 5), end: b.end_time.slice(0, 5) })) };
}

export async function patientOverlaps(db: Kysely<Database>, patientId: string, startsAt: Date, endsAt: Date, excludeId?: string) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('users as d', 'd.id', 'a.doctor_id')
    .select(['a.id', 'a.starts_at', 'd.display_name'])
    .where('a.patient_id', '=', patientId)
    .where('a.status', 'in', ['booked', 'checked_in'])
    .where(sql<boolean>`tstzrange(a.starts_at, a.ends_at) && tstzrange(${startsAt}, ${endsAt})`)
    .$if(Boolean(excludeId), (qb) => qb.where('a.id', '!=', excludeId!))
    .execute();
}

export async function addHistory(
  db: Kysely<Database>,
  row: { clinic_id: string; appointment_id: string; from_status: string | null; to_status: string; starts_at: Date; by_user: string; reason: string | null },
) {
  await db.insertInto('appointment_history').values(row).execute();
}
