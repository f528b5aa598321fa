import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIn, registerPatient } from '../../test/factories.ts';
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

describe('the queue over the day', () => {
  it('numbers each clinic day from 1 and keeps unfinished visits from earlier days on the board', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary');
    t.clock.set(new Date('2031-05-01T09:00:00.000Z'));
    const [p1, p2, p3] = [await registerPatient(secretary), await registerPatient(secretary), await registerPatient(secretary)];
    const yesterdayOpen = await checkIn(secretary, p1.id);
    const yesterdayDone = await checkIn(secretary, p2.id);
    expect([yesterdayOpen.queueNumber, yesterdayDone.queueNumber]).toEqual([1, 2]);
    await secretary.request('POST', `/api/visits/${yesterdayDone.id}/cancel`, { reason: 'Went home' });

    t.clock.set(new Date('2031-05-02T09:00:00.000Z'));
    const today = await checkIn(secretary, p3.id);
    expect(today.queueNumber).toBe(1);
    const board = await secretary.request('GET', '/api/visits/board');
    expect(board.body.items.map((v: { id: string }) => v.id)).toEqual([yesterdayOpen.id, today.id]);
    expect(board.body.serverTime).toBe('2031-05-02T09:00:00.000Z');
  });

  it('calls the next patient in queue order, for this doctor or for anyone', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary');
    const doctor = await clinic.addUser('doctor');
    const colleague = await clinic.addUser('doctor');
    const forColleague = await checkIn(secretary, (await registerPatient(secretary)).id, colleague.user.id);
    const forAnyone = await checkIn(secretary, (await registerPatient(secretary)).id);
    const forMe = await checkIn(secretary, (await registerPatient(secretary)).id, doctor.user.id);

    const mine = await doctor.request('GET', '/api/visits/my-queue');
    expect(mine.body.items.map((v: { id: string }) => v.id)).toEqual([forAnyone.id, forMe.id]);
    const first = await doctor.request('POST', '/api/visits/call-next', {});
    expect(first.body).toMatchObject({ id: forAnyone.id, status: 'in_consultation', doctorId: doctor.user.id });
    expect((await doctor.request('POST', '/api/visits/call-next', {})).body.error.code).toBe('doctor_busy');
    await doctor.request('POST', `/api/visits/${forAnyone.id}/complete`, {});
    expect((await doctor.request('POST', '/api/visits/call-next', {})).body.id).toBe(forMe.id);
    await doctor.request('POST', `/api/visits/${forMe.id}/complete`, {});
    const none = await doctor.request('POST', '/api/visits/call-next', {});
    expect(none.status).toBe(404);
    expect((await colleague.request('POST', '/api/visits/call-next', {})).body.id).toBe(forColleague.id);
  });

  it('keeps each role to its own actions, and records who did what and why', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary', 'Desk One');
    const doctor = await clinic.addUser('doctor', 'Dr Who');
    const visit = await checkIn(secretary, (await registerPatient(secretary)).id);
    expect((await secretary.request('POST', `/api/visits/${visit.id}/call`, {})).status).toBe(403);
    expect((await doctor.request('POST', `/api/visits/${visit.id}/cancel`, {})).status).toBe(403);
    expect((await doctor.request('POST', '/api/visits', { patientId: visit.id })).status).toBe(403);
    expect((await secretary.request('POST', `/api/visits/${visit.id}/left-without-being-seen`, { reason: '  Waited too long  ' })).status).toBe(200);
    const history = await doctor.request('GET', `/api/visits/${visit.id}/history`);
    expect(history.body.items).toEqual([
      expect.objectContaining({ fromStatus: null, toStatus: 'waiting', by: 'Desk One', reason: null }),
      expect.objectContaining({ fromStatus: 'waiting', toStatus: 'left_without_being_seen', by: 'Desk One', reason: 'Waited too long' }),
    ]);
    const again = await secretary.request('POST', `/api/visits/${visit.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'illegal_transition', details: { status: 'left_without_being_seen' } });
  });
});
