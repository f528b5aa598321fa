import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, patientBody, type TestContext } from '../../test/harness.ts';

let t: TestContext;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t?.close());

describe('check-in and the queue', () => {
  it('checks a walk-in in as waiting with a queue number and history', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary');
    const doctor = await clinic.addUser('doctor');
    const patient = await secretary.request('POST', '/api/patients', patientBody());
    expect(patient.status).toBe(201);
    const visit = await secretary.request('POST', '/api/visits', { patientId: patient.body.id });
    expect(visit.status).toBe(201);
    expect(visit.body).toMatchObject({ status: 'waiting', queueNumber: 1, doctorId: null });
    const again = await secretary.request('POST', '/api/visits', { patientId: patient.body.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('visit_already_active');

    const queue = await doctor.request('GET', '/api/visits/my-queue');
    expect(queue.body.items.map((v: { id: string }) => v.id)).toEqual([visit.body.id]);
    const called = await doctor.request('POST', `/api/visits/${visit.body.id}/call`, {});
    expect(called.status).toBe(200);
    expect(called.body).toMatchObject({ status: 'in_consultation', doctorId: doctor.user.id });
    const done = await doctor.request('POST', `/api/visits/${visit.body.id}/complete`, {});
    expect(done.body.status).toBe('completed');
    const history = await secretary.request('GET', `/api/visits/${visit.body.id}/history`);
    expect(history.body.items.map((h: { toStatus: string }) => h.toStatus)).toEqual(['waiting', 'in_consultation', 'completed']);
  });
});
