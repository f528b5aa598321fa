import { randomUUID } from 'node:crypto';
import { AppError } from '../../../common/errors.ts';
import type { Appointment, BookBody } from '../../../common/scheduling.ts';
import { addDays, localDate, weekday, zonedInstant, type Clock } from '../../clock.ts';
import { inClinic, violates, writeTx, type Actor, type Tx, type TxDeps } from '../../events/transaction.ts';
import { clinicSettings } from '../clinic/clinic.service.ts';
import { findPatient } from '../patients/patients.queries.ts';
import * as q from './scheduling.queries.ts';

export interface SchedulingDeps extends TxDeps {
  clock: Clock;
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Appointments between `from` and `from + days` in the clinic's time zone, optionally for one doctor or patient. */
export async function listAppointments(
  deps: SchedulingDeps,
  actor: Actor,
  query: { from: string; days?: number; doctorId?: string; patientId?: string },
): Promise<Appointment[]> {
  const { timeZone } = await clinicSettings(deps, actor);
  const from = zonedInstant(query.from, '00:00', timeZone);
  const to = zonedInstant(addDays(query.from, query.days ?? 1), '00:00', timeZone);
  return inClinic(deps.db, actor.clinicId, (conn) => q.listAppointments(conn, { from, to, doctorId: query.doctorId, patientId: query.patientId }));
}

/** The doctor's bookable slots on one day, from the weekly schedule, each marked free or taken. */
export async function listSlots(deps: SchedulingDeps, actor: Actor, doctorId: string, date: string) {
  const { timeZone } = await clinicSettings(deps, actor);
  return inClinic(deps.db, actor.clinicId, async (conn) => {
    const doctor = await q.doctorWithSchedule(conn, doctorId, weekday(date));
    if (!doctor) throw new AppError('not_found', 'No such doctor.');
    const taken = (await q.listAppointments(conn, { from: zonedInstant(date, '00:00', timeZone), to: zonedInstant(addDays(date, 1), '00:00', timeZone), doctorId }))
      .filter((a) => a.status === 'booked' || a.status === 'checked_in');
    const items = [];
    for (const block of doctor.blocks) {
      for (let m = minutesOf(block.start); m + doctor.slot_minutes <= minutesOf(block.end); m += doctor.slot_minutes) {
        const startsAt = zonedInstant(date, timeOf(m), timeZone);
        const endsAt = new Date(startsAt.getTime() + doctor.slot_minutes * 60_000);
        const free = !taken.some((a) => new Date(a.startsAt) < endsAt && new Date(a.endsAt) > startsAt);
        items.push({ startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), free });
      }
    }
    return { slotMinutes: doctor.slot_minutes, items };
  });
}

/** Checks that the doctor works then and the start is on a slot boundary; returns the slot's end. */
async function slotEnd(tx: Tx, doctorId: string, startsAt: Date, timeZone: string, now: Date): Promise<Date> {
  const date = localDate(startsAt, timeZone);
  const doctor = await q.doctorWithSchedule(tx.db, doctorId, weekday(date));
  if (!doctor) throw new AppError('not_found', 'No such doctor.');
  if (!doctor.active) throw new AppError('unprocessable', `${doctor.display_name} is no longer active.`);
  if (startsAt.getTime() < now.getTime() - 5 * 60_000) throw new AppError('unprocessable', 'This time has already passed.');
  const wall = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(startsAt);
  const start = minutesOf(wall);
  const fits = doctor.blocks.some(
    (b) => start >= minutesOf(b.start) && start + doctor.slot_minutes <= minutesOf(b.end) && (start - minutesOf(b.start)) % doctor.slot_minutes === 0,
  );
  if (!fits || startsAt.getUTCSeconds() !== 0) {
    throw new AppError('outside_schedule', `${doctor.display_name} has no slot starting at ${wall} on ${date}.`);
  }
  return new Date(startsAt.getTime() + doctor.slot_minutes * 60_000);
}

async function warnPatientConflict(tx: Tx, patientId: string, startsAt: Date, endsAt: Date, acknowledged: boolean | undefined, excludeId?: string) {
  if (acknowledged) return;
  const clashes = await q.patientOverlaps(tx.db, patientId, startsAt, endsAt, excludeId);
  if (clashes.length > 0) {
    throw new AppError('patient_conflict', `This patient already has an appointment with ${clashes[0].display_name} at that time.`, {
      appointmentIds: clashes.map((c) => c.id),
    });
  }
}

function overlapError(): AppError {
  return new AppError('appointment_overlap', 'The doctor already has an appointment at that time. Choose another slot.');
}

/**
 * Books a patient into a free slot of the doctor's schedule. Two bookings of one doctor can never
 * overlap: the database's exclusion constraint refuses the second even when both arrive together.
 */
export async function book(deps: SchedulingDeps, actor: Actor, body: BookBody): Promise<Appointment> {
  const { timeZone } = await clinicSettings(deps, actor);
  const startsAt = new Date(body.startsAt);
  const id = randomUUID();
  return writeTx(deps, actor, 'appointment.book', async (tx) => {
    if (!(await findPatient(tx.db, body.patientId))) throw new AppError('not_found', 'No such patient.');
    const endsAt = await slotEnd(tx, body.doctorId, startsAt, timeZone, deps.clock.now());
    await warnPatientConflict(tx, body.patientId, startsAt, endsAt, body.acknowledgePatientConflict);
    await q.lockDoctorBookings(tx.db, body.doctorId);
    try {
      await tx.db
        .insertInto('appointments')
        .values({ id, clinic_id: actor.clinicId, doctor_id: body.doctorId, patient_id: body.patientId, starts_at: startsAt, ends_at: endsAt, reason: body.reason?.trim() || null, created_by: actor.userId })
        .execute();
    } catch (error) {
      if (violates(error, 'appointments_no_overlap')) throw overlapError();
      throw error;
    }
    await q.addHistory(tx.db, { clinic_id: actor.clinicId, appointment_id: id, from_status: null, to_status: 'booked', starts_at: startsAt, by_user: actor.userId, reason: null });
    tx.audit({ entityType: 'appointment', entityId: id, patientId: body.patientId });
    tx.emit('appointment.changed', id);
    return (await q.findAppointment(tx.db, id))!;
  });
}

async function lockBooked(tx: Tx, id: string, version: number) {
  const current = await q.lockAppointment(tx.db, id);
  if (!current) throw new AppError('not_found', 'No such appointment.');
  if (current.version !== version) throw new AppError('stale_version', 'This appointment was changed by someone else. Reload and try again.');
  if (current.status !== 'booked') throw new AppError('illegal_transition', `This appointment is already ${current.status.replace('_', ' ')}.`);
  return current;
}

/** Moves a booked appointment to another slot of the same doctor, under the same rules as booking. */
export async function reschedule(deps: SchedulingDeps, actor: Actor, id: string, body: { startsAt: string; version: number; acknowledgePatientConflict?: boolean }) {
  const { timeZone } = await clinicSettings(deps, actor);
  const startsAt = new Date(body.startsAt);
  return writeTx(deps, actor, 'appointment.reschedule', async (tx) => {
    const current = await lockBooked(tx, id, body.version);
    const endsAt = await slotEnd(tx, current.doctor_id, startsAt, timeZone, deps.clock.now());
    await warnPatientConflict(tx, current.patient_id, startsAt, endsAt, body.acknowledgePatientConflict, id);
    await q.lockDoctorBookings(tx.db, current.doctor_id);
    try {
      await tx.db.updateTable('appointments').set({ starts_at: startsAt, ends_at: endsAt, version: current.version + 1 }).where('id', '=', id).execute();
    } catch (error) {
      if (violates(error, 'appointments_no_overlap')) throw overlapError();
      throw error;
    }
    await q.addHistory(tx.db, { clinic_id: actor.clinicId, appointment_id: id, from_status: 'booked', to_status: 'booked', starts_at: startsAt, by_user: actor.userId, reason: 'rescheduled' });
    tx.audit({ entityType: 'appointment', entityId: id, patientId: current.patient_id, details: { from: current.starts_at, to: startsAt.toISOString() } });
    tx.emit('appointment.changed', id);
    return (await q.findAppointment(tx.db, id))!;
  });
}

/** Ends a booked appointment as cancelled (with the reason kept) or no-show; the slot becomes free. */
export async function closeAppointment(
  deps: SchedulingDeps,
  actor: Actor,
  id: string,
  to: 'cancelled' | 'no_show',
  body: { version: number; reason?: string },
) {
  return writeTx(deps, actor, to === 'cancelled' ? 'appointment.cancel' : 'appointment.no_show', async (tx) => {
    const current = await lockBooked(tx, id, body.version);
    if (to === 'no_show' && current.starts_at.getTime() > deps.clock.now().getTime()) {
      throw new AppError('unprocessable', 'An appointment can be marked no-show only after its start time.');
    }
    const reason = body.reason?.trim() || null;
    if (to === 'cancelled' && !reason) throw new AppError('validation_failed', 'Give a reason for the cancellation.', { fields: [{ field: 'reason' }] });
    await tx.db.updateTable('appointments').set({ status: to, cancel_reason: reason, version: current.version + 1 }).where('id', '=', id).execute();
    await q.addHistory(tx.db, { clinic_id: actor.clinicId, appointment_id: id, from_status: 'booked', to_status: to, starts_at: current.starts_at, by_user: actor.userId, reason });
    tx.audit({ entityType: 'appointment', entityId: id, patientId: current.patient_id });
    tx.emit('appointment.changed', id);
    return (await q.findAppointment(tx.db, id))!;
  });
}
