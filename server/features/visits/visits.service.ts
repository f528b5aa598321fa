import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../../../common/errors.ts';
import { nextVisitStatus, VISIT_ACTIONS, type Board, type CheckInBody, type Visit, type VisitAction, type VisitStatus } from '../../../common/visits.ts';
import { localDate, type Clock } from '../../clock.ts';
import { inClinic, violates, writeTx, type Actor, type Tx, type TxDeps } from '../../events/transaction.ts';
import * as billing from '../billing/billing.service.ts';
import * as q from './visits.queries.ts';

export interface VisitDeps extends TxDeps {
  clock: Clock;
}

const alreadyActive = (queueNumber?: number) =>
  new AppError('visit_already_active', `This patient is already checked in${queueNumber ? ` (queue number ${queueNumber})` : ''}.`);

/** Resolves what is being checked in: a booked appointment of today, or a walk-in patient. */
async function checkInTarget(tx: Tx, body: CheckInBody, day: string, timeZone: string) {
  if (body.appointmentId) {
    const appointment = await tx.db.selectFrom('appointments').selectAll().where('id', '=', body.appointmentId).forUpdate().executeTakeFirst();
    if (!appointment) throw new AppError('not_found', 'No such appointment.');
    if (appointment.status !== 'booked') throw new AppError('illegal_transition', `This appointment is ${appointment.status.replace('_', ' ')}, not booked.`);
    if (localDate(appointment.starts_at, timeZone) !== day) throw new AppError('unprocessable', 'Only today’s appointments can be checked in.');
    return { patientId: appointment.patient_id, doctorId: appointment.doctor_id, appointment };
  }
  if (!body.patientId) throw new AppError('validation_failed', 'Choose a patient or an appointment to check in.', { fields: [{ field: 'patientId' }] });
  const patient = await tx.db.selectFrom('patients').select('id').where('id', '=', body.patientId).executeTakeFirst();
  if (!patient) throw new AppError('not_found', 'No such patient.');
  if (body.doctorId) {
    const doctor = await tx.db.selectFrom('users').select(['id', 'active']).where('id', '=', body.doctorId).where('role', '=', 'doctor').executeTakeFirst();
    if (!doctor) throw new AppError('not_found', 'No such doctor.');
    if (!doctor.active) throw new AppError('unprocessable', 'That doctor is no longer active.');
  }
  return { patientId: body.patientId, doctorId: body.doctorId ?? null, appointment: null };
}

/**
 * Checks a patient in, from today's appointment or as a walk-in, creating the visit with the day's next
 * queue number. A patient has at most one active visit: the database refuses a second, so two
 * secretaries checking in the same patient at once get one visit and one clear refusal.
 */
export async function checkIn(deps: VisitDeps, actor: Actor, body: CheckInBody): Promise<Visit> {
  const id = randomUUID();
  return writeTx(deps, actor, 'visit.check_in', async (tx) => {
    const clinic = await tx.db.selectFrom('clinics').select('time_zone').executeTakeFirstOrThrow();
    const day = localDate(deps.clock.now(), clinic.time_zone);
    const target = await checkInTarget(tx, body, day, clinic.time_zone);
    tx.audit({ entityType: 'visit', entityId: id, patientId: target.patientId });
    const active = await q.activeVisitOf(tx.db, target.patientId);
    if (active) throw alreadyActive(active.queue_number);
    // With a consultation price, the visit waits for payment before it joins the queue.
    const price = await billing.consultationPrice(tx, target.doctorId);
    const status = price ? 'awaiting_payment' : 'waiting';
    const queueNumber = await q.nextQueueNumber(tx.db, actor.clinicId, day);
    try {
      await tx.db
        .insertInto('visits')
        .values({
          id,
          clinic_id: actor.clinicId,
          patient_id: target.patientId,
          doctor_id: target.doctorId,
          appointment_id: target.appointment?.id ?? null,
          clinic_day: day,
          queue_number: queueNumber,
          status,
          checked_in_at: deps.clock.now(),
          status_changed_at: deps.clock.now(),
          created_by: actor.userId,
        })
        .execute();
    } catch (error) {
      if (violates(error, 'visits_one_active_per_patient')) throw alreadyActive();
      throw error;
    }
    await q.addVisitHistory(tx.db, { clinic_id: actor.clinicId, visit_id: id, from_status: null, to_status: status, by_user: actor.userId, reason: null });
    if (price) await billing.addCharge(tx, deps.clock, price, { patientId: target.patientId, visitId: id });
    if (target.appointment) {
      await tx.db.updateTable('appointments').set({ status: 'checked_in', version: target.appointment.version + 1 }).where('id', '=', target.appointment.id).execute();
      await tx.db
        .insertInto('appointment_history')
        .values({ clinic_id: actor.clinicId, appointment_id: target.appointment.id, from_status: 'booked', to_status: 'checked_in', starts_at: target.appointment.starts_at, by_user: actor.userId, reason: null })
        .execute();
      tx.emit('appointment.changed', target.appointment.id);
    }
    tx.emit('visit.changed', id);
    return (await q.findVisit(tx.db, id))!;
  });
}

/** Why an action cannot apply to a visit as it stands now, or null when it can. */
function refusal(current: { status: string; doctor_id: string | null }, action: VisitAction, actor: Actor): AppError | null {
  if (action === 'call' && current.status === 'awaiting_payment') return billing.paymentRequired();
  if (action === 'call' && current.status === 'in_consultation') {
    return new AppError('illegal_transition', 'This patient has already been called in.');
  }
  if (!nextVisitStatus(current.status as VisitStatus, action)) {
    return new AppError('illegal_transition', `A visit that is ${current.status.replaceAll('_', ' ')} cannot be moved that way.`, { status: current.status });
  }
  if (action === 'call' && current.doctor_id && current.doctor_id !== actor.userId) {
    return new AppError('forbidden', 'This patient is waiting for another doctor.');
  }
  if (action === 'complete' && current.doctor_id !== actor.userId) {
    return new AppError('forbidden', 'Only the doctor in this consultation can finish it.');
  }
  return null;
}

/**
 * Applies a named action to a visit. The row is locked, so two people acting at once are serialised and
 * the second sees the first one's result; every change is appended to the visit's history.
 */
export async function transition(deps: VisitDeps, actor: Actor, visitId: string, action: VisitAction, reason?: string): Promise<Visit> {
  return writeTx(deps, actor, `visit.${action}`, async (tx) => {
    const current = await tx.db.selectFrom('visits').select(['status', 'doctor_id', 'patient_id']).where('id', '=', visitId).forUpdate().executeTakeFirst();
    if (!current) throw new AppError('not_found', 'No such visit.');
    return applyTransition(deps, tx, visitId, current, action, reason);
  });
}

/** Moves a visit already locked by this transaction, after checking the action may apply to it. */
async function applyTransition(
  deps: VisitDeps,
  tx: Tx,
  visitId: string,
  current: { status: string; doctor_id: string | null; patient_id: string },
  action: VisitAction,
  reason?: string,
): Promise<Visit> {
  const to = VISIT_ACTIONS[action].to;
  tx.audit({ entityType: 'visit', entityId: visitId, patientId: current.patient_id });
  const refused = refusal(current, action, tx.actor);
  if (refused) throw refused;
  try {
    await tx.db
      .updateTable('visits')
      .set({
        status: to,
        status_changed_at: deps.clock.now(),
        version: sql`version + 1`,
        ...(action === 'call' && { doctor_id: tx.actor.userId }),
      })
      .where('id', '=', visitId)
      .execute();
  } catch (error) {
    if (violates(error, 'visits_one_consultation_per_doctor')) {
      throw new AppError('doctor_busy', 'You already have a patient in consultation. Finish that visit first.');
    }
    if (billing.isPaymentGateRefusal(error)) throw billing.paymentRequired();
    throw error;
  }
  if (to === 'cancelled' || to === 'left_without_being_seen') {
    await billing.cancelChargesOfVisit(tx, deps.clock, visitId, reason?.trim() || (to === 'cancelled' ? 'Visit cancelled' : 'Left without being seen'));
  }
  await q.addVisitHistory(tx.db, { clinic_id: tx.actor.clinicId, visit_id: visitId, from_status: current.status, to_status: to, by_user: tx.actor.userId, reason: reason?.trim() || null });
  tx.emit('visit.changed', visitId);
  return (await q.findVisit(tx.db, visitId))!;
}

/**
 * Calls in the first patient waiting for this doctor (or for any doctor), in queue order. Visits that
 * another doctor is calling at this very moment are skipped (SKIP LOCKED), so doctors pressing
 * "Call next" together each get a different patient instead of a refusal.
 */
export async function callNext(deps: VisitDeps, actor: Actor): Promise<Visit> {
  return writeTx(deps, actor, 'visit.call', async (tx) => {
    const next = await tx.db
      .selectFrom('visits')
      .select(['id', 'status', 'doctor_id', 'patient_id'])
      .where('status', '=', 'waiting')
      .where((eb) => eb.or([eb('doctor_id', '=', actor.userId), eb('doctor_id', 'is', null)]))
      .orderBy('clinic_day')
      .orderBy('queue_number')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!next) throw new AppError('not_found', 'Nobody is waiting for you.');
    return applyTransition(deps, tx, next.id, next, 'call');
  });
}

/** The front-desk board: today's visits and any still active, with the clinic's waiting-time threshold. */
export async function board(deps: VisitDeps, actor: Actor): Promise<Board> {
  return inClinic(deps.db, actor.clinicId, async (conn) => {
    const clinic = await conn.selectFrom('clinics').select(['time_zone', 'wait_threshold_minutes']).executeTakeFirstOrThrow();
    const items = await q.boardVisits(conn, localDate(deps.clock.now(), clinic.time_zone));
    return { waitThresholdMinutes: clinic.wait_threshold_minutes, serverTime: deps.clock.now().toISOString(), items };
  });
}

/** A doctor's own queue, in order. */
export async function myQueue(deps: VisitDeps, actor: Actor): Promise<Board> {
  return inClinic(deps.db, actor.clinicId, async (conn) => {
    const clinic = await conn.selectFrom('clinics').select(['wait_threshold_minutes']).executeTakeFirstOrThrow();
    return { waitThresholdMinutes: clinic.wait_threshold_minutes, serverTime: deps.clock.now().toISOString(), items: await q.doctorQueue(conn, actor.userId) };
  });
}

export async function getVisit(deps: VisitDeps, actor: Actor, id: string): Promise<Visit> {
  const visit = await inClinic(deps.db, actor.clinicId, (conn) => q.findVisit(conn, id));
  if (!visit) throw new AppError('not_found', 'No such visit.');
  return visit;
}

export async function getVisitHistory(deps: VisitDeps, actor: Actor, id: string) {
  return inClinic(deps.db, actor.clinicId, async (conn) => {
    if (!(await q.findVisit(conn, id))) throw new AppError('not_found', 'No such visit.');
    return (await q.visitHistory(conn, id)).map((h) => ({
      fromStatus: h.from_status as VisitStatus | null,
      toStatus: h.to_status as VisitStatus,
      at: h.at.toISOString(),
      by: h.display_name,
      reason: h.reason,
    }));
  });
}

