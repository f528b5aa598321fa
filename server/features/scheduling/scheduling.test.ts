import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDays, weekday, zonedInstant } from '../../clock.ts';
import { registerPatient } from '../../test/factories.ts';
import { buildTestApp, TEST_PASSWORD, type ClinicFixture, type Session, type TestContext } from '../../test/harness.ts';

const TZ = 'Asia/Amman';
const DAY = '2031-03-04';
const NEXT = addDays(DAY, 1);

let t: TestContext;
let clinic: ClinicFixture;
let secretary: Session;
let doctorId: string;
let secondDoctorId: string;

/** The instant of a wall-clock time at the clinic, as the API writes it. */
const at = (time: string, day = DAY) => zonedInstant(day, time, TZ).toISOString();

async function staffDoctor(name: string, blocks: { weekday: number; start: string; end: string }[]) {
  const response = await clinic.admin.request('POST', '/api/staff', {
    username: `${name.replace(/\W/g, '')}.${Math.random().toString(36).slice(2, 8)}`,
    displayName: name,
    role: 'doctor',
    password: TEST_PASSWORD,
    schedule: { slotMinutes: 30, consultationType: 'general', blocks },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

async function book(patientId: string, startsAt: string, extra: Record<string, unknown> = {}, doctor = doctorId) {
  return secretary.request('POST', '/api/appointments', { doctorId: doctor, patientId, startsAt, ...extra });
}

async function slots(date = DAY, doctor = doctorId) {
  const response = await secretary.request('GET', `/api/appointments/slots?doctorId=${doctor}&date=${date}`);
  expect(response.status).toBe(200);
  return response.body as { slotMinutes: number; items: { startsAt: string; endsAt: string; free: boolean }[] };
}

const freeAt = async (startsAt: string, date = DAY) => (await slots(date)).items.find((s) => s.startsAt === startsAt)?.free;

beforeAll(async () => {
  t = await buildTestApp();
  clinic = await t.createClinic({ timeZone: TZ });
  secretary = await clinic.addUser('secretary');
  doctorId = await staffDoctor('Dr Schedule', [
    { weekday: weekday(DAY), start: '09:00', end: '12:00' },
    { weekday: weekday(DAY), start: '14:00', end: '16:00' },
    { weekday: weekday(NEXT), start: '00:00', end: '02:00' },
  ]);
  secondDoctorId = await staffDoctor('Dr Second', [{ weekday: weekday(DAY), start: '09:00', end: '12:00' }]);
});
afterAll(async () => t?.close());

beforeEach(() => {
  // 08:00 at the clinic on the day under test.
  t.clock.set(new Date(at('08:00')));
});

describe('slots', () => {
  it('follow the doctor’s weekly schedule in the clinic’s time zone', async () => {
    const day = await slots();
    expect(day.slotMinutes).toBe(30);
    expect(day.items.map((s) => s.startsAt)).toEqual(
      ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '14:00', '14:30', '15:00', '15:30'].map((time) => at(time)),
    );
    expect(day.items[0]).toEqual({ startsAt: '2031-03-04T06:00:00.000Z', endsAt: '2031-03-04T06:30:00.000Z', free: true });
    expect((await slots(addDays(DAY, 2))).items).toEqual([]);
    const unknown = await secretary.request('GET', `/api/appointments/slots?doctorId=${secretary.user.id}&date=${DAY}`);
    expect(unknown.status).toBe(404);
  });

  it('refuse a start outside the schedule or off a slot boundary', async () => {
    const patient = await registerPatient(secretary);
    const cases: [string, string][] = [
      ['before the day starts', at('08:30')],
      ['at the end of a period', at('12:00')],
      ['between periods', at('13:00')],
      ['off the boundary', at('09:10')],
      ['seconds past the boundary', at('09:00').replace(':00.000Z', ':30.000Z')],
      ['a day without hours', at('10:00', addDays(DAY, 2))],
    ];
    for (const [name, startsAt] of cases) {
      const response = await book(patient.id, startsAt);
      expect(response.status, name).toBe(422);
      expect(response.body.error.code, name).toBe('outside_schedule');
    }
    const { rows } = await t.owner.query('SELECT count(*)::int AS n FROM appointments WHERE patient_id = $1', [patient.id]);
    expect(rows[0].n).toBe(0);
  });

  it('refuse a time that has already passed', async () => {
    const patient = await registerPatient(secretary);
    t.clock.set(new Date(at('10:04')));
    const past = await book(patient.id, at('09:30'));
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('unprocessable');
    // The slot that has only just begun is still bookable.
    expect((await book(patient.id, at('10:00'))).status).toBe(201);
  });
});

describe('booking', () => {
  it('books a free slot and refuses an overlapping one', async () => {
    const [first, second] = [await registerPatient(secretary), await registerPatient(secretary)];
    const booked = await book(first.id, at('09:00'), { reason: ' Check-up ' });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ doctorId, patientId: first.id, startsAt: at('09:00'), endsAt: at('09:30'), status: 'booked', reason: 'Check-up', version: 1, doctorName: 'Dr Schedule' });
    expect(await freeAt(at('09:00'))).toBe(false);
    const clash = await book(second.id, at('09:00'));
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('appointment_overlap');
    // Another doctor is free at that time.
    expect((await book(second.id, at('09:00'), {}, secondDoctorId)).status).toBe(201);
  });

  it('frees the slot again when the appointment is cancelled', async () => {
    const [first, second] = [await registerPatient(secretary), await registerPatient(secretary)];
    const booked = (await book(first.id, at('11:00'))).body;
    const cancelled = await secretary.request('POST', `/api/appointments/${booked.id}/cancel`, { reason: 'Patient travelling', version: 1 });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'Patient travelling', version: 2 });
    expect(await freeAt(at('11:00'))).toBe(true);
    expect((await book(second.id, at('11:00'))).status).toBe(201);
  });

  it('frees the slot after a no-show, which is possible only once the appointment has started', async () => {
    const [first, second] = [await registerPatient(secretary), await registerPatient(secretary)];
    const booked = (await book(first.id, at('14:00'))).body;
    const early = await secretary.request('POST', `/api/appointments/${booked.id}/no-show`, { version: 1 });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('unprocessable');
    t.clock.set(new Date(at('14:01')));
    const noShow = await secretary.request('POST', `/api/appointments/${booked.id}/no-show`, { version: 1 });
    expect(noShow.status).toBe(200);
    expect(noShow.body.status).toBe('no_show');
    expect((await book(second.id, at('14:00'))).status).toBe(201);
  });

  it('warns when the patient is already booked elsewhere at that time, and books once acknowledged', async () => {
    const patient = await registerPatient(secretary);
    const first = (await book(patient.id, at('10:30'))).body;
    const warned = await book(patient.id, at('10:30'), {}, secondDoctorId);
    expect(warned.status).toBe(409);
    expect(warned.body.error).toMatchObject({ code: 'patient_conflict', details: { appointmentIds: [first.id] } });
    const acknowledged = await book(patient.id, at('10:30'), { acknowledgePatientConflict: true }, secondDoctorId);
    expect(acknowledged.status).toBe(201);
  });

  it('refuses unknown patients and doctors, and malformed times', async () => {
    const patient = await registerPatient(secretary);
    expect((await book('00000000-0000-4000-8000-000000000000', at('15:00'))).status).toBe(404);
    expect((await book(patient.id, at('15:00'), {}, secretary.user.id)).status).toBe(404);
    const malformed = await book(patient.id, 'tomorrow at ten');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_failed');
    await t.owner.query('UPDATE users SET active = false WHERE id = $1', [secondDoctorId]);
    try {
      const inactive = await book(patient.id, at('11:30'), {}, secondDoctorId);
      expect(inactive.status).toBe(422);
    } finally {
      await t.owner.query('UPDATE users SET active = true WHERE id = $1', [secondDoctorId]);
    }
  });
});

describe('changing an appointment', () => {
  it('reschedules to another free slot under the same rules', async () => {
    const [patient, other] = [await registerPatient(secretary), await registerPatient(secretary)];
    const booked = (await book(patient.id, at('15:00'))).body;
    const moved = await secretary.request('POST', `/api/appointments/${booked.id}/reschedule`, { startsAt: at('15:30'), version: 1 });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ startsAt: at('15:30'), endsAt: at('16:00'), version: 2, status: 'booked' });
    expect(await freeAt(at('15:00'))).toBe(true);
    expect(await freeAt(at('15:30'))).toBe(false);

    const taken = (await book(other.id, at('15:00'))).body;
    const onto = await secretary.request('POST', `/api/appointments/${booked.id}/reschedule`, { startsAt: at('15:00'), version: 2 });
    expect(onto.body.error.code).toBe('appointment_overlap');
    const outside = await secretary.request('POST', `/api/appointments/${booked.id}/reschedule`, { startsAt: at('16:00'), version: 2 });
    expect(outside.body.error.code).toBe('outside_schedule');
    const stale = await secretary.request('POST', `/api/appointments/${booked.id}/reschedule`, { startsAt: at('09:30'), version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_version');

    const history = await t.owner.query('SELECT from_status, to_status, reason FROM appointment_history WHERE appointment_id = $1 ORDER BY id', [booked.id]);
    expect(history.rows).toEqual([
      { from_status: null, to_status: 'booked', reason: null },
      { from_status: 'booked', to_status: 'booked', reason: 'rescheduled' },
    ]);
    const current = await t.owner.query('SELECT starts_at, version FROM appointments WHERE id = $1', [booked.id]);
    expect(current.rows[0]).toEqual({ starts_at: new Date(at('15:30')), version: 2 });
    expect(taken.status).toBe('booked');
  });

  it('needs a reason to cancel, and the right version', async () => {
    const patient = await registerPatient(secretary);
    const booked = (await book(patient.id, at('09:30'), {}, secondDoctorId)).body;
    const url = `/api/appointments/${booked.id}/cancel`;
    for (const body of [{ version: 1 }, { version: 1, reason: '' }, { version: 1, reason: '   ' }]) {
      const response = await secretary.request('POST', url, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await secretary.request('POST', url, { version: 2, reason: 'Phoned' })).body.error.code).toBe('stale_version');
    expect((await secretary.request('POST', url, { version: 1, reason: 'Phoned' })).status).toBe(200);
    // A closed appointment cannot be closed again, moved, or checked in.
    for (const [path, body] of [
      ['cancel', { version: 2, reason: 'Again' }],
      ['no-show', { version: 2 }],
      ['reschedule', { version: 2, startsAt: at('10:00') }],
    ] as const) {
      const response = await secretary.request('POST', `/api/appointments/${booked.id}/${path}`, body);
      expect(response.status, path).toBe(409);
      expect(response.body.error.code).toBe('illegal_transition');
    }
    const checkIn = await secretary.request('POST', '/api/visits', { appointmentId: booked.id });
    expect(checkIn.body.error.code).toBe('illegal_transition');
  });
});

describe('checking in from an appointment', () => {
  it('creates the visit for the appointment’s doctor and marks the appointment checked in', async () => {
    const patient = await registerPatient(secretary);
    const booked = (await book(patient.id, at('11:30'))).body;
    const visit = await secretary.request('POST', '/api/visits', { appointmentId: booked.id });
    expect(visit.status).toBe(201);
    expect(visit.body).toMatchObject({ appointmentId: booked.id, patientId: patient.id, doctorId, status: 'waiting' });
    const listed = await secretary.request('GET', `/api/appointments?from=${DAY}&patientId=${patient.id}`);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: booked.id, status: 'checked_in', version: 2 })]);
    // Checked in is still taken, and cannot be undone by a cancellation.
    expect(await freeAt(at('11:30'))).toBe(false);
    const cancel = await secretary.request('POST', `/api/appointments/${booked.id}/cancel`, { reason: 'x', version: 2 });
    expect(cancel.body.error.code).toBe('illegal_transition');
    const twice = await secretary.request('POST', '/api/visits', { appointmentId: booked.id });
    expect(twice.status).toBe(409);
  });

  it('only on the appointment’s own day', async () => {
    const patient = await registerPatient(secretary);
    const tomorrow = (await book(patient.id, at('01:00', NEXT))).body;
    const early = await secretary.request('POST', '/api/visits', { appointmentId: tomorrow.id });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('unprocessable');
    const visits = await t.owner.query('SELECT count(*)::int AS n FROM visits WHERE patient_id = $1', [patient.id]);
    expect(visits.rows[0].n).toBe(0);
  });
});

describe('listing', () => {
  it('lists a day or a week by the clinic’s calendar, in time order, for one doctor or one patient', async () => {
    const patient = await registerPatient(secretary);
    // 01:00 in Amman on the next day is still the previous day in UTC.
    const lateNight = (await book(patient.id, at('01:30', NEXT))).body;
    expect(lateNight.startsAt.slice(0, 10)).toBe(DAY);
    const nextWeek = (await book(patient.id, at('09:00', addDays(DAY, 7)))).body;

    const day = (await secretary.request('GET', `/api/appointments?from=${DAY}`)).body.items;
    expect(day.length).toBeGreaterThan(0);
    expect(day.every((a: { startsAt: string }) => a.startsAt >= at('00:00') && a.startsAt < at('00:00', NEXT))).toBe(true);
    expect(day.map((a: { id: string }) => a.id)).not.toContain(lateNight.id);
    const sorted = [...day].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(day).toEqual(sorted);

    const next = (await secretary.request('GET', `/api/appointments?from=${NEXT}`)).body.items;
    expect(next.map((a: { id: string }) => a.id)).toContain(lateNight.id);

    const week = (await secretary.request('GET', `/api/appointments?from=${DAY}&days=7&patientId=${patient.id}`)).body.items;
    expect(week.map((a: { id: string }) => a.id)).toEqual([lateNight.id]);
    const eight = (await secretary.request('GET', `/api/appointments?from=${DAY}&days=8&patientId=${patient.id}`)).body.items;
    expect(eight.map((a: { id: string }) => a.id)).toEqual([lateNight.id, nextWeek.id]);

    const second = (await secretary.request('GET', `/api/appointments?from=${DAY}&doctorId=${secondDoctorId}`)).body.items;
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((a: { doctorId: string }) => a.doctorId === secondDoctorId)).toBe(true);

    expect((await secretary.request('GET', `/api/appointments?from=${DAY}&days=32`)).status).toBe(400);
    expect((await secretary.request('GET', '/api/appointments')).status).toBe(400);
  });

  it('is open to doctors; booking is not open to the lab', async () => {
    const doctor = await clinic.addUser('doctor');
    expect((await doctor.request('GET', `/api/appointments?from=${DAY}`)).status).toBe(200);
    const lab = await clinic.addUser('lab');
    expect((await lab.request('GET', `/api/appointments?from=${DAY}`)).status).toBe(403);
    expect((await lab.request('POST', '/api/appointments', { doctorId, patientId: doctorId, startsAt: at('10:00') })).status).toBe(403);
  });
});
