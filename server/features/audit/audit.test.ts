import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditMark, auditSince, checkIn, pinDay, registerPatient, sessionIdOf } from '../../test/factories.ts';
import { buildTestApp, patientBody, TEST_PASSWORD, type ClinicFixture, type Session, type TestContext } from '../../test/harness.ts';

let t: TestContext;
let clinic: ClinicFixture;
let secretary: Session;
let doctor: Session;
let otherDoctor: Session;
let lab: Session;
let day: string;

beforeAll(async () => {
  t = await buildTestApp();
  day = pinDay(t);
  clinic = await t.createClinic();
  secretary = await clinic.addUser('secretary', 'Front Desk');
  doctor = await clinic.addUser('doctor', 'Dr Audit');
  otherDoctor = await clinic.addUser('doctor', 'Dr Other');
  lab = await clinic.addUser('lab');
});
afterAll(async () => t?.close());

interface Step {
  name: string;
  as: () => Session;
  run: () => Promise<{ status: number; body: any }>;
  action: string;
  entityType: string;
  entityId?: () => string | null;
  patientId?: () => string | null;
}

describe('the audit trail', () => {
  it('records every write and every read of patient data with actor, session, address, entity and outcome', async () => {
    let patientId = '';
    let appointmentId = '';
    let visitId = '';
    let staffId = '';
    const patient = () => patientId;
    const steps: Step[] = [
      {
        name: 'register',
        as: () => secretary,
        run: async () => {
          const r = await secretary.request('POST', '/api/patients', patientBody({ givenNameLatin: 'Audrey', familyNameLatin: 'Trail' }));
          patientId = r.body.id;
          return r;
        },
        action: 'patient.create',
        entityType: 'patient',
        entityId: patient,
        patientId: patient,
      },
      { name: 'read', as: () => secretary, run: () => secretary.request('GET', `/api/patients/${patientId}`), action: 'patient.read', entityType: 'patient', entityId: patient, patientId: patient },
      { name: 'doctor reads', as: () => doctor, run: () => doctor.request('GET', `/api/patients/${patientId}`), action: 'patient.read', entityType: 'patient', entityId: patient, patientId: patient },
      { name: 'search', as: () => secretary, run: () => secretary.request('GET', '/api/patients?q=audrey'), action: 'patient.search', entityType: 'patient' },
      {
        name: 'duplicate check',
        as: () => secretary,
        run: () => secretary.request('POST', '/api/patients/duplicates', patientBody({ givenNameLatin: 'Audrey', familyNameLatin: 'Trail' })),
        action: 'patient.duplicate_check',
        entityType: 'patient',
      },
      {
        name: 'edit',
        as: () => secretary,
        run: async () => {
          const current = (await secretary.request('GET', `/api/patients/${patientId}`)).body;
          const { id: _id, mrn: _mrn, createdAt: _c, updatedAt: _u, ...fields } = current;
          return secretary.request('PUT', `/api/patients/${patientId}`, { ...fields, address: 'Jabal Amman' });
        },
        action: 'patient.update',
        entityType: 'patient',
        entityId: patient,
        patientId: patient,
      },
      { name: 'history', as: () => secretary, run: () => secretary.request('GET', `/api/patients/${patientId}/history`), action: 'patient.history', entityType: 'patient', entityId: patient, patientId: patient },
      {
        name: 'book',
        as: () => secretary,
        run: async () => {
          const r = await secretary.request('POST', '/api/appointments', { doctorId: doctor.user.id, patientId, startsAt: `${day}T10:00:00.000Z` });
          appointmentId = r.body.id;
          return r;
        },
        action: 'appointment.book',
        entityType: 'appointment',
        entityId: () => appointmentId,
        patientId: patient,
      },
      {
        name: 'reschedule',
        as: () => secretary,
        run: () => secretary.request('POST', `/api/appointments/${appointmentId}/reschedule`, { startsAt: `${day}T10:30:00.000Z`, version: 1 }),
        action: 'appointment.reschedule',
        entityType: 'appointment',
        entityId: () => appointmentId,
        patientId: patient,
      },
      {
        name: 'cancel appointment',
        as: () => secretary,
        run: () => secretary.request('POST', `/api/appointments/${appointmentId}/cancel`, { reason: 'Patient phoned', version: 2 }),
        action: 'appointment.cancel',
        entityType: 'appointment',
        entityId: () => appointmentId,
        patientId: patient,
      },
      {
        name: 'no-show',
        as: () => doctor,
        run: async () => {
          const booked = await doctor.request('POST', '/api/appointments', { doctorId: doctor.user.id, patientId, startsAt: `${day}T08:15:00.000Z` });
          appointmentId = booked.body.id;
          t.clock.set(new Date(`${day}T08:40:00.000Z`));
          return doctor.request('POST', `/api/appointments/${appointmentId}/no-show`, { version: 1 });
        },
        action: 'appointment.no_show',
        entityType: 'appointment',
        entityId: () => appointmentId,
        patientId: patient,
      },
      {
        name: 'check in',
        as: () => secretary,
        run: async () => {
          const r = await secretary.request('POST', '/api/visits', { patientId });
          visitId = r.body.id;
          return r;
        },
        action: 'visit.check_in',
        entityType: 'visit',
        entityId: () => visitId,
        patientId: patient,
      },
      { name: 'call', as: () => doctor, run: () => doctor.request('POST', `/api/visits/${visitId}/call`, {}), action: 'visit.call', entityType: 'visit', entityId: () => visitId, patientId: patient },
      { name: 'complete', as: () => doctor, run: () => doctor.request('POST', `/api/visits/${visitId}/complete`, {}), action: 'visit.complete', entityType: 'visit', entityId: () => visitId, patientId: patient },
      {
        name: 'cancel visit',
        as: () => secretary,
        run: async () => {
          visitId = (await checkIn(secretary, patientId)).id;
          return secretary.request('POST', `/api/visits/${visitId}/cancel`, { reason: 'Went home' });
        },
        action: 'visit.cancel',
        entityType: 'visit',
        entityId: () => visitId,
        patientId: patient,
      },
      {
        name: 'left without being seen',
        as: () => secretary,
        run: async () => {
          visitId = (await checkIn(secretary, patientId)).id;
          return secretary.request('POST', `/api/visits/${visitId}/left-without-being-seen`, {});
        },
        action: 'visit.left_without_being_seen',
        entityType: 'visit',
        entityId: () => visitId,
        patientId: patient,
      },
      {
        name: 'create staff',
        as: () => clinic.admin,
        run: async () => {
          const r = await clinic.admin.request('POST', '/api/staff', { username: `audit-${Date.now()}`, displayName: 'New Nurse', role: 'secretary', password: TEST_PASSWORD });
          staffId = r.body.id;
          return r;
        },
        action: 'staff.create',
        entityType: 'user',
        entityId: () => staffId,
      },
      { name: 'update staff', as: () => clinic.admin, run: () => clinic.admin.request('PATCH', `/api/staff/${staffId}`, { displayName: 'Renamed Nurse' }), action: 'staff.update', entityType: 'user', entityId: () => staffId },
      {
        name: 'reset password',
        as: () => clinic.admin,
        run: () => clinic.admin.request('POST', `/api/staff/${staffId}/password`, { password: 'another long password' }),
        action: 'staff.reset_password',
        entityType: 'user',
        entityId: () => staffId,
      },
      { name: 'clinic settings', as: () => clinic.admin, run: () => clinic.admin.request('PATCH', '/api/clinic', { waitThresholdMinutes: 45 }), action: 'clinic.settings', entityType: 'clinic', entityId: () => clinic.id },
      { name: 'language', as: () => secretary, run: () => secretary.request('PUT', '/api/auth/me/language', { language: 'ar' }), action: 'user.language', entityType: 'user', entityId: () => secretary.user.id },
    ];

    for (const step of steps) {
      const mark = await auditMark(t.owner);
      const response = await step.run();
      expect(response.status, `${step.name}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
      const rows = (await auditSince(t.owner, mark)).filter((r) => r.action === step.action);
      expect(rows, step.name).toHaveLength(1);
      const actor = step.as();
      expect(rows[0], step.name).toMatchObject({
        clinic_id: clinic.id,
        actor_id: actor.user.id,
        session_id: await sessionIdOf(t.owner, actor),
        ip: '127.0.0.1',
        entity_type: step.entityType,
        entity_id: step.entityId?.() ?? null,
        patient_id: step.patientId?.() ?? null,
        outcome: 'success',
      });
      expect(rows[0].details_type === null || rows[0].details_type === 'object', `${step.name} details are an object`).toBe(true);
    }
  });

  it('records sign-in and sign-out', async () => {
    const mark = await auditMark(t.owner);
    const session = await clinic.login(secretary.user);
    const sessionId = await sessionIdOf(t.owner, session);
    expect((await session.request('POST', '/api/auth/logout', {})).status).toBe(200);
    const rows = await auditSince(t.owner, mark);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ['auth.login', 'success'],
      ['auth.logout', 'success'],
    ]);
    expect(rows[0]).toMatchObject({ actor_id: secretary.user.id, entity_type: 'session', entity_id: sessionId, ip: '127.0.0.1' });
    expect(rows[1]).toMatchObject({ actor_id: secretary.user.id, session_id: sessionId, entity_id: sessionId });

    const failed = await auditMark(t.owner);
    const response = await t.app.fastify.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.9.8.7',
      headers: { 'x-requested-with': 'doctors-system' },
      payload: { username: secretary.user.username, password: 'not the password' },
    });
    expect(response.statusCode).toBe(401);
    expect(await auditSince(t.owner, failed)).toEqual([expect.objectContaining({ action: 'auth.login_failed', actor_id: secretary.user.id, ip: '10.9.8.7', outcome: 'success' })]);
  });

  it('records refusals by role as denied and refusals by the rules as refused, and commits nothing else', async () => {
    const patient = await registerPatient(secretary);
    const labSession = await sessionIdOf(t.owner, lab);

    let mark = await auditMark(t.owner);
    expect((await lab.request('GET', `/api/patients/${patient.id}`)).status).toBe(403);
    expect(await auditSince(t.owner, mark)).toEqual([
      expect.objectContaining({ actor_id: lab.user.id, session_id: labSession, action: 'GET /api/patients/:id', outcome: 'denied', details: { code: 'forbidden' } }),
    ]);

    const visit = await checkIn(secretary, patient.id);
    mark = await auditMark(t.owner);
    const again = await secretary.request('POST', '/api/visits', { patientId: patient.id });
    expect(again.body.error.code).toBe('visit_already_active');
    expect(await auditSince(t.owner, mark)).toEqual([
      expect.objectContaining({ actor_id: secretary.user.id, action: 'visit.check_in', patient_id: patient.id, outcome: 'refused', details: { code: 'visit_already_active' } }),
    ]);
    const visits = await t.owner.query('SELECT count(*)::int AS n FROM visits WHERE patient_id = $1', [patient.id]);
    expect(visits.rows[0].n).toBe(1);

    expect((await doctor.request('POST', `/api/visits/${visit.id}/call`, {})).status).toBe(200);
    mark = await auditMark(t.owner);
    const stolen = await otherDoctor.request('POST', `/api/visits/${visit.id}/complete`, {});
    expect(stolen.status).toBe(403);
    expect(await auditSince(t.owner, mark)).toEqual([
      expect.objectContaining({ actor_id: otherDoctor.user.id, action: 'visit.complete', entity_id: visit.id, outcome: 'denied', details: { code: 'forbidden' } }),
    ]);
    const history = await t.owner.query('SELECT to_status FROM visit_history WHERE visit_id = $1 ORDER BY id', [visit.id]);
    expect(history.rows.map((r) => r.to_status)).toEqual(['waiting', 'in_consultation']);

    mark = await auditMark(t.owner);
    const stale = await secretary.request('PUT', `/api/patients/${patient.id}`, { ...patientBody(), version: 7 });
    expect(stale.body.error.code).toBe('stale_version');
    expect(await auditSince(t.owner, mark)).toEqual([expect.objectContaining({ action: 'patient.update', outcome: 'refused', details: { code: 'stale_version' } })]);
  });
});

describe('append-only tables', () => {
  const tables = ['audit_log', 'visit_history', 'patient_versions', 'appointment_history'];

  beforeAll(async () => {
    // Make sure every table has rows to protect.
    const patient = await registerPatient(secretary);
    const visit = await checkIn(secretary, patient.id);
    await secretary.request('POST', `/api/visits/${visit.id}/cancel`, {});
    await secretary.request('POST', '/api/appointments', { doctorId: doctor.user.id, patientId: patient.id, startsAt: `${day}T16:00:00.000Z` });
  });

  for (const table of tables) {
    it(`refuses UPDATE, DELETE and TRUNCATE of ${table}, even by the owner`, async () => {
      const before = (await t.owner.query(`SELECT count(*)::int AS n, md5(string_agg(t::text, ',' ORDER BY id)) AS digest FROM ${table} t`)).rows[0];
      expect(before.n).toBeGreaterThan(0);
      const column = table === 'audit_log' ? 'action' : table === 'patient_versions' ? 'changed_fields' : 'to_status';
      const value = column === 'changed_fields' ? "'{}'" : "'tampered'";
      for (const statement of [`UPDATE ${table} SET ${column} = ${value}`, `DELETE FROM ${table}`, `TRUNCATE ${table}`, `TRUNCATE ${table} CASCADE`]) {
        await expect(t.owner.query(statement), statement).rejects.toThrow(/append-only/);
      }
      // The application's own role has no such rights at all.
      for (const statement of [`UPDATE ${table} SET ${column} = ${value}`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        await expect(sql.raw(statement).execute(t.db), statement).rejects.toThrow(/permission denied/);
      }
      const after = (await t.owner.query(`SELECT count(*)::int AS n, md5(string_agg(t::text, ',' ORDER BY id)) AS digest FROM ${table} t`)).rows[0];
      expect(after).toEqual(before);
    });
  }
});

describe('the audit screen', () => {
  let patientId: string;
  beforeAll(async () => {
    patientId = (await registerPatient(secretary, { givenNameLatin: 'Paging', familyNameLatin: 'Person' })).id;
    for (let i = 0; i < 3; i++) await secretary.request('GET', `/api/patients/${patientId}`);
    await doctor.request('GET', `/api/patients/${patientId}`);
  });

  async function page(query: string) {
    const response = await clinic.admin.request('GET', `/api/audit${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { items: any[]; nextBefore: string | null };
  }

  it('filters by person, patient and action prefix', async () => {
    const bySecretary = await page(`?actorId=${secretary.user.id}&limit=200`);
    const secretaryRows = await t.owner.query('SELECT count(*)::int AS n FROM audit_log WHERE actor_id = $1', [secretary.user.id]);
    expect(bySecretary.items).toHaveLength(secretaryRows.rows[0].n);
    expect(bySecretary.items.every((i) => i.actorId === secretary.user.id && i.actorName === 'Front Desk')).toBe(true);

    const byPatient = await page(`?patientId=${patientId}&limit=200`);
    expect(byPatient.items.map((i) => i.action)).toEqual(['patient.read', 'patient.read', 'patient.read', 'patient.read', 'patient.create']);
    expect(byPatient.items.map((i) => i.actorId)).toEqual([doctor.user.id, secretary.user.id, secretary.user.id, secretary.user.id, secretary.user.id]);

    const both = await page(`?patientId=${patientId}&actorId=${doctor.user.id}`);
    expect(both.items).toHaveLength(1);

    const visits = await page('?action=visit.&limit=200');
    expect(visits.items.length).toBeGreaterThan(0);
    expect(visits.items.every((i) => i.action.startsWith('visit.'))).toBe(true);
    const checkIns = await page('?action=visit.check_in&limit=200');
    expect(checkIns.items.length).toBeGreaterThan(0);
    expect(checkIns.items.every((i) => i.action === 'visit.check_in')).toBe(true);
    // The prefix is text, not a pattern.
    expect((await page('?action=%25')).items).toEqual([]);
    expect((await page('?action=visit_')).items).toEqual([]);

    const refused = checkIns.items.find((i) => i.outcome === 'refused');
    expect(refused.details).toEqual({ code: 'visit_already_active' });
  });

  it('filters by date in the clinic time zone', async () => {
    const newest = (await page('?limit=1')).items[0];
    const today = newest.at.slice(0, 10);
    const dayBefore = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const dayAfter = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const all = await page('?limit=200');
    const todays = all.items.filter((i) => i.at.startsWith(today));
    expect((await page(`?from=${today}&to=${today}&limit=200`)).items).toHaveLength(todays.length);
    expect((await page(`?from=${dayAfter}`)).items).toEqual([]);
    expect((await page(`?to=${dayBefore}`)).items).toEqual([]);
    expect((await page(`?from=${dayBefore}&to=${dayAfter}&limit=200`)).items).toHaveLength(all.items.length);
  });

  it('pages through the whole trail newest first without gaps or repeats', async () => {
    const all = (await page('?limit=200')).items.map((i) => i.id);
    expect(all.length).toBeGreaterThan(10);
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const next: { items: any[]; nextBefore: string | null } = await page(`?limit=7${before ? `&before=${before}` : ''}`);
      seen.push(...next.items.map((i) => i.id));
      before = next.nextBefore;
      pages++;
      expect(next.items.length).toBeLessThanOrEqual(7);
    } while (before);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(all.map(Number)).toEqual([...all.map(Number)].sort((a, b) => b - a));
  });

  it('is for administrators only', async () => {
    for (const session of [secretary, doctor, lab]) {
      const response = await session.request('GET', '/api/audit');
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
  });
});
