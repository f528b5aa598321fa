import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIn, pinDay, registerPatient } from '../../test/factories.ts';
import { buildTestApp, type ClinicFixture, type Session, type TestContext } from '../../test/harness.ts';
import { socketRequest, type SocketResponse } from '../../test/sockets.ts';

// Every request in these tests goes over a real socket, all of a round sent at once, so the server and
// PostgreSQL see truly simultaneous requests rather than inject()'s in-process calls.

let t: TestContext;
let base: string;
let clinic: ClinicFixture;
let secretaries: Session[];
let doctors: Session[];
let day: string;

beforeAll(async () => {
  t = await buildTestApp();
  day = pinDay(t);
  base = await t.listen();
  clinic = await t.createClinic();
  secretaries = [];
  for (let i = 0; i < 3; i++) secretaries.push(await clinic.addUser('secretary'));
  doctors = [];
  for (let i = 0; i < 5; i++) doctors.push(await clinic.addUser('doctor'));
});
afterAll(async () => t?.close());

const call = (session: Session, method: string, url: string, body?: unknown) => socketRequest(base, session.cookie, method, url, body);

function tally(responses: SocketResponse[]) {
  const counts: Record<string, number> = {};
  for (const r of responses) {
    const key = r.status < 300 ? String(r.status) : `${r.status} ${r.body?.error?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function rows(sql: string, params: unknown[]) {
  return (await t.owner.query(sql, params)).rows;
}

describe('simultaneous requests', () => {
  it('checks one patient in once when 50 check-ins arrive together, round after round', async () => {
    const patient = await registerPatient(secretaries[0]);
    for (let round = 0; round < 20; round++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => call(secretaries[i % secretaries.length], 'POST', '/api/visits', { patientId: patient.id })),
      );
      expect(tally(responses), `round ${round}`).toEqual({ '201': 1, '409 visit_already_active': 49 });
      const active = await rows("SELECT id, status FROM visits WHERE patient_id = $1 AND status NOT IN ('completed', 'cancelled', 'left_without_being_seen')", [patient.id]);
      expect(active).toHaveLength(1);
      const created = responses.find((r) => r.status === 201)!.body;
      expect(active[0]).toEqual({ id: created.id, status: 'waiting' });
      // Close the visit both ways in turn, so the next round starts from a patient with no active visit.
      if (round % 2 === 0) {
        expect((await call(secretaries[0], 'POST', `/api/visits/${created.id}/cancel`, {})).status).toBe(200);
      } else {
        expect((await call(doctors[0], 'POST', `/api/visits/${created.id}/call`, {})).status).toBe(200);
        expect((await call(doctors[0], 'POST', `/api/visits/${created.id}/complete`, {})).status).toBe(200);
      }
    }
    const all = await rows('SELECT queue_number FROM visits WHERE patient_id = $1 ORDER BY queue_number', [patient.id]);
    expect(all).toHaveLength(20);
    // Refused check-ins leave no gaps: queue numbers are given out only by check-ins that happen.
    const numbers = all.map((r) => r.queue_number);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers[19] - numbers[0]).toBe(19);
    // A thousand requests: generous room for a slow, shared machine.
  }, 180_000);

  it('lets exactly one of several doctors call the same waiting patient', async () => {
    for (let round = 0; round < 10; round++) {
      const patient = await registerPatient(secretaries[0]);
      const visit = await checkIn(secretaries[0], patient.id);
      const responses = await Promise.all(
        doctors.flatMap((doctor) => [call(doctor, 'POST', `/api/visits/${visit.id}/call`, {}), call(doctor, 'POST', `/api/visits/${visit.id}/call`, {})]),
      );
      const counts = tally(responses);
      expect(counts['200'], `round ${round}: ${JSON.stringify(counts)}`).toBe(1);
      expect(Object.keys(counts).every((k) => k === '200' || k === '409 illegal_transition' || k === '403 forbidden'), JSON.stringify(counts)).toBe(true);
      const winner = responses.find((r) => r.status === 200)!.body.doctorId;
      const consulting = await rows("SELECT doctor_id FROM visits WHERE id = $1 AND status = 'in_consultation'", [visit.id]);
      expect(consulting).toEqual([{ doctor_id: winner }]);
      const history = await rows('SELECT from_status, to_status FROM visit_history WHERE visit_id = $1 ORDER BY id', [visit.id]);
      expect(history).toEqual([
        { from_status: null, to_status: 'waiting' },
        { from_status: 'waiting', to_status: 'in_consultation' },
      ]);
      const winnerSession = doctors.find((d) => d.user.id === winner)!;
      expect((await call(winnerSession, 'POST', `/api/visits/${visit.id}/complete`, {})).status).toBe(200);
    }
  });

  it('lets only the assigned doctor call a patient waiting for them, however many try', async () => {
    const patient = await registerPatient(secretaries[0]);
    const visit = await checkIn(secretaries[0], patient.id, doctors[2].user.id);
    const responses = await Promise.all(doctors.map((doctor) => call(doctor, 'POST', `/api/visits/${visit.id}/call`, {})));
    expect(responses[2].status).toBe(200);
    // The others are refused: as not theirs, or as already called in if the assigned doctor got there first.
    for (const r of [responses[0], responses[1], responses[3], responses[4]]) expect([403, 409]).toContain(r.status);
    expect((await call(doctors[2], 'POST', `/api/visits/${visit.id}/complete`, {})).status).toBe(200);
  });

  it('never has one doctor in two consultations, however many patients they call at once', async () => {
    const doctor = doctors[4];
    for (let round = 0; round < 10; round++) {
      const visits = [];
      for (let i = 0; i < 6; i++) visits.push(await checkIn(secretaries[i % 3], (await registerPatient(secretaries[0])).id));
      const responses = await Promise.all(visits.map((v) => call(doctor, 'POST', `/api/visits/${v.id}/call`, {})));
      expect(tally(responses), `round ${round}`).toEqual({ '200': 1, '409 doctor_busy': 5 });
      const consulting = await rows("SELECT id FROM visits WHERE doctor_id = $1 AND status = 'in_consultation'", [doctor.user.id]);
      expect(consulting).toEqual([{ id: responses.find((r) => r.status === 200)!.body.id }]);
      // The refused calls left their patients waiting for anyone, untouched.
      const waiting = await rows("SELECT count(*)::int AS n FROM visits WHERE id = ANY($1) AND status = 'waiting' AND doctor_id IS NULL", [visits.map((v) => v.id)]);
      expect(waiting[0].n).toBe(5);
      expect((await call(doctor, 'POST', `/api/visits/${consulting[0].id}/complete`, {})).status).toBe(200);
      for (const v of visits) if (v.id !== consulting[0].id) await call(secretaries[0], 'POST', `/api/visits/${v.id}/cancel`, {});
    }
  });

  it('books one of several simultaneous requests for the same slot and refuses the rest', async () => {
    const doctor = doctors[3];
    const patients: { id: string }[] = [];
    for (let i = 0; i < 10; i++) patients.push(await registerPatient(secretaries[0]));
    for (let round = 0; round < 5; round++) {
      const startsAt = `${day}T${String(10 + round).padStart(2, '0')}:15:00.000Z`;
      const responses = await Promise.all(
        patients.map((p, i) => call(secretaries[i % 3], 'POST', '/api/appointments', { doctorId: doctor.user.id, patientId: p.id, startsAt })),
      );
      expect(tally(responses), `round ${round}`).toEqual({ '201': 1, '409 appointment_overlap': 9 });
      const booked = await rows("SELECT count(*)::int AS n FROM appointments WHERE doctor_id = $1 AND starts_at = $2 AND status = 'booked'", [doctor.user.id, startsAt]);
      expect(booked[0].n).toBe(1);
    }
    // Two bookings racing for one slot, the smallest case, many times over. Without the per-doctor lock
    // PostgreSQL answered some of these races with a deadlock error (a 500) instead of the overlap.
    for (let round = 0; round < 30; round++) {
      const startsAt = new Date(Date.parse(`${day}T16:00:00.000Z`) + round * 15 * 60_000).toISOString();
      const responses = await Promise.all(
        [patients[0], patients[1]].map((p, i) => call(secretaries[i], 'POST', '/api/appointments', { doctorId: doctor.user.id, patientId: p.id, startsAt })),
      );
      expect(tally(responses), `${startsAt}`).toEqual({ '201': 1, '409 appointment_overlap': 1 });
    }
  });

  it('answers a burst of mixed requests without a single server error', async () => {
    const patients: { id: string }[] = [];
    for (let i = 0; i < 5; i++) patients.push(await registerPatient(secretaries[0]));
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const p = patients[i % 5];
        switch (i % 4) {
          case 0:
            return call(secretaries[i % 3], 'POST', '/api/visits', { patientId: p.id });
          case 1:
            return call(doctors[i % 5], 'POST', '/api/visits/call-next', {});
          case 2:
            return call(secretaries[i % 3], 'GET', '/api/visits/board');
          default:
            return call(doctors[i % 5], 'GET', '/api/visits/my-queue');
        }
      }),
    );
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    const perPatient = await rows(
      "SELECT patient_id, count(*)::int AS n FROM visits WHERE patient_id = ANY($1) AND status NOT IN ('completed', 'cancelled', 'left_without_being_seen') GROUP BY patient_id",
      [patients.map((p) => p.id)],
    );
    expect(perPatient.every((r) => r.n === 1)).toBe(true);
    const perDoctor = await rows("SELECT doctor_id, count(*)::int AS n FROM visits WHERE status = 'in_consultation' GROUP BY doctor_id", []);
    expect(perDoctor.every((r) => r.n === 1)).toBe(true);
  });
});
