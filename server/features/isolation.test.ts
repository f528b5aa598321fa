import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inClinic } from '../events/transaction.ts';
import { checkIn, pinDay, registerPatient } from '../test/factories.ts';
import { buildTestApp, patientBody, TEST_PASSWORD, type ClinicFixture, type Session, type TestContext } from '../test/harness.ts';
import { openEventStream } from '../test/sockets.ts';

let t: TestContext;
let day: string;
let a: { clinic: ClinicFixture; secretary: Session; doctor: Session };
let b: { clinic: ClinicFixture; secretary: Session; doctor: Session };
let theirs: {
  patient: { id: string; mrn: string; givenNameLatin: string; familyNameLatin: string; phone: string; version: number };
  visit: { id: string };
  appointment: { id: string };
  staffId: string;
};

beforeAll(async () => {
  t = await buildTestApp();
  day = pinDay(t);
  const setUp = async (name: string) => {
    const clinic = await t.createClinic({ name });
    return { clinic, secretary: await clinic.addUser('secretary'), doctor: await clinic.addUser('doctor') };
  };
  a = await setUp('Clinic A');
  b = await setUp('Clinic B');
  // Clinic A has a record of its own with the same record number B's patient gets.
  await registerPatient(a.secretary);
  const patient = await registerPatient(b.secretary, { givenNameLatin: 'Yasmin', familyNameLatin: 'Barakat', phone: '+962 79 123 9876', nationalId: 'BB-7654321' });
  const appointment = (await b.secretary.request('POST', '/api/appointments', { doctorId: b.doctor.user.id, patientId: patient.id, startsAt: `${day}T12:00:00.000Z` })).body;
  const visit = await checkIn(b.secretary, patient.id);
  theirs = { patient, visit, appointment, staffId: b.secretary.user.id };
});
afterAll(async () => t?.close());

describe('another clinic’s records', () => {
  it('are not found by id, for reading or for changing', async () => {
    const { patient, visit, appointment, staffId } = theirs;
    const mine = await registerPatient(a.secretary);
    const attempts: [Session, string, string, unknown?][] = [
      [a.secretary, 'GET', `/api/patients/${patient.id}`],
      [a.secretary, 'GET', `/api/patients/${patient.id}/history`],
      [a.secretary, 'PUT', `/api/patients/${patient.id}`, { ...patientBody(), version: patient.version }],
      [a.secretary, 'GET', `/api/visits/${visit.id}`],
      [a.secretary, 'GET', `/api/visits/${visit.id}/history`],
      [a.secretary, 'POST', `/api/visits/${visit.id}/cancel`, { reason: 'x' }],
      [a.secretary, 'POST', `/api/visits/${visit.id}/left-without-being-seen`, {}],
      [a.doctor, 'POST', `/api/visits/${visit.id}/call`, {}],
      [a.doctor, 'POST', `/api/visits/${visit.id}/complete`, {}],
      [a.secretary, 'POST', '/api/visits', { patientId: patient.id }],
      [a.secretary, 'POST', '/api/visits', { appointmentId: appointment.id }],
      [a.secretary, 'POST', '/api/visits', { patientId: mine.id, doctorId: b.doctor.user.id }],
      [a.secretary, 'POST', '/api/appointments', { doctorId: a.doctor.user.id, patientId: patient.id, startsAt: `${day}T13:00:00.000Z` }],
      [a.secretary, 'POST', '/api/appointments', { doctorId: b.doctor.user.id, patientId: mine.id, startsAt: `${day}T13:00:00.000Z` }],
      [a.secretary, 'POST', `/api/appointments/${appointment.id}/reschedule`, { startsAt: `${day}T14:00:00.000Z`, version: 1 }],
      [a.secretary, 'POST', `/api/appointments/${appointment.id}/cancel`, { reason: 'x', version: 1 }],
      [a.secretary, 'POST', `/api/appointments/${appointment.id}/no-show`, { version: 1 }],
      [a.secretary, 'GET', `/api/appointments/slots?doctorId=${b.doctor.user.id}&date=${day}`],
      [a.clinic.admin, 'PATCH', `/api/staff/${staffId}`, { active: false }],
      [a.clinic.admin, 'POST', `/api/staff/${staffId}/password`, { password: TEST_PASSWORD + '!' }],
    ];
    for (const [session, method, url, body] of attempts) {
      const response = await session.request(method, url, body);
      expect(response.status, `${method} ${url}`).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }

    // Nothing of B's changed, and B's own staff still work normally.
    const { rows } = await t.owner.query('SELECT (SELECT version FROM patients WHERE id = $1) AS patient, (SELECT status FROM visits WHERE id = $2) AS visit, (SELECT status FROM appointments WHERE id = $3) AS appointment, (SELECT active FROM users WHERE id = $4) AS active', [
      patient.id,
      visit.id,
      appointment.id,
      staffId,
    ]);
    expect(rows[0]).toEqual({ patient: 1, visit: 'waiting', appointment: 'booked', active: true });
    expect((await b.secretary.request('GET', `/api/patients/${patient.id}`)).status).toBe(200);
    // A's refused attempts are A's business: none of them is written into B's trail.
    const trail = await t.owner.query('SELECT count(*)::int AS n FROM audit_log WHERE clinic_id = $1 AND actor_id = ANY($2)', [
      b.clinic.id,
      [a.secretary.user.id, a.doctor.user.id, a.clinic.admin.user.id],
    ]);
    expect(trail.rows[0].n).toBe(0);
  });

  it('never show up in lists or searches', async () => {
    const { patient, appointment } = theirs;
    const searches = ['Yasmin', 'barakat', 'yasmin barakat', '1239876', '+962 79 123 9876', patient.mrn, 'bb-7654321', ''];
    for (const q of searches) {
      const found = await a.secretary.request('GET', `/api/patients?q=${encodeURIComponent(q)}`);
      expect(found.status).toBe(200);
      expect(found.body.items.map((p: { id: string }) => p.id), q).not.toContain(patient.id);
    }
    // The same record number exists in A, and that is what A finds.
    const sameMrn = await a.secretary.request('GET', `/api/patients?q=${patient.mrn}`);
    expect(sameMrn.body.items[0].mrn).toBe(patient.mrn);
    expect(sameMrn.body.items[0].id).not.toBe(patient.id);
    const duplicates = await a.secretary.request('POST', '/api/patients/duplicates', patientBody({ givenNameLatin: 'Yasmin', familyNameLatin: 'Barakat', phone: patient.phone, nationalId: 'BB-7654321' }));
    expect(duplicates.body.items).toEqual([]);
    // B's national id is free in A: each clinic keeps its own register.
    expect((await a.secretary.request('POST', '/api/patients', patientBody({ nationalId: 'BB-7654321' }))).status).toBe(201);

    const board = await a.secretary.request('GET', '/api/visits/board');
    expect(board.body.items.map((v: { patientId: string }) => v.patientId)).not.toContain(patient.id);
    const queue = await a.doctor.request('GET', '/api/visits/my-queue');
    expect(queue.body.items.map((v: { patientId: string }) => v.patientId)).not.toContain(patient.id);
    const appointments = await a.secretary.request('GET', `/api/appointments?from=${day}&days=7`);
    expect(appointments.body.items.map((x: { id: string }) => x.id)).not.toContain(appointment.id);
    expect((await a.secretary.request('GET', `/api/appointments?from=${day}&patientId=${patient.id}`)).body.items).toEqual([]);
    const staff = await a.secretary.request('GET', '/api/staff');
    const bStaff = [b.secretary.user.id, b.doctor.user.id, b.clinic.admin.user.id];
    expect(staff.body.items.some((s: { id: string }) => bStaff.includes(s.id))).toBe(false);
    const audit = await a.clinic.admin.request('GET', `/api/audit?patientId=${patient.id}`);
    expect(audit.body.items).toEqual([]);
    const allAudit = await a.clinic.admin.request('GET', '/api/audit?limit=200');
    expect(allAudit.body.items.some((i: { actorId: string }) => bStaff.includes(i.actorId))).toBe(false);
    expect((await a.clinic.admin.request('GET', '/api/clinic')).body.name).toBe('Clinic A');
  });

  it('never reach another clinic’s event stream, while its own events do', async () => {
    const base = await t.listen();
    const stream = await openEventStream(base, a.secretary.cookie);
    await stream.waitFor((e) => e.event === 'ready', 'the stream to be ready');

    // B is busy with every kind of change…
    const theirIds: string[] = [];
    const bPatient = await registerPatient(b.secretary);
    theirIds.push(bPatient.id);
    const bVisit = await checkIn(b.secretary, bPatient.id);
    theirIds.push(bVisit.id);
    await b.doctor.request('POST', `/api/visits/${bVisit.id}/call`, {});
    const bAppointment = await b.secretary.request('POST', '/api/appointments', { doctorId: b.doctor.user.id, patientId: bPatient.id, startsAt: `${day}T15:00:00.000Z` });
    theirIds.push(bAppointment.body.id);
    const bStaff = await b.clinic.admin.request('POST', '/api/staff', { username: `b-${Date.now()}`, displayName: 'B person', role: 'lab', password: TEST_PASSWORD });
    theirIds.push(bStaff.body.id);

    // …then A registers someone. Events are delivered in commit order, so anything of B's that leaked
    // would have arrived before this one.
    const mine = await registerPatient(a.secretary);
    await stream.waitForMessage((m) => m.entityId === mine.id, 'A’s own event');
    const received = stream.messages();
    const ours = await t.owner.query('SELECT entity_id FROM outbox WHERE clinic_id = $1', [a.clinic.id]);
    const ourIds = new Set(ours.rows.map((r) => r.entity_id));
    expect(received.filter((m) => !ourIds.has(m.entityId))).toEqual([]);
    expect(received.some((m) => theirIds.includes(m.entityId))).toBe(false);
    expect(stream.text()).not.toContain(bPatient.id);
    stream.close();
  });
});

describe('row-level security on its own', () => {
  it('shows the application role nothing when no clinic is set', async () => {
    const owner = await t.owner.query('SELECT count(*)::int AS n FROM patients');
    expect(owner.rows[0].n).toBeGreaterThan(1);
    const role = await sql<{ user: string; bypass: boolean; superuser: boolean }>`
      SELECT current_user AS user, rolbypassrls AS bypass, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`.execute(t.db);
    expect(role.rows[0]).toEqual({ user: 'doctors_app', bypass: false, superuser: false });
    for (const table of ['patients', 'visits', 'appointments', 'users', 'sessions', 'audit_log', 'outbox', 'clinics', 'patient_versions', 'visit_history']) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(t.db);
      expect(rows[0].n, table).toBe(0);
    }
  });

  it('shows a transaction only the clinic it declared, and forgets it when the transaction ends', async () => {
    const counts = await t.db.connection().execute(async (conn) => {
      const inA = await inClinic(conn as never, a.clinic.id, (c) => sql<{ n: number }>`SELECT count(*)::int AS n FROM patients`.execute(c));
      // The same pooled connection, right after: the clinic setting was local to that transaction.
      const after = await sql<{ n: number; setting: string | null }>`
        SELECT count(*)::int AS n, nullif(current_setting('app.clinic_id', true), '') AS setting FROM patients`.execute(conn);
      return { inA: inA.rows[0].n, after: after.rows[0] };
    });
    const expected = await t.owner.query('SELECT count(*)::int AS n FROM patients WHERE clinic_id = $1', [a.clinic.id]);
    expect(counts.inA).toBe(expected.rows[0].n);
    expect(counts.after).toEqual({ n: 0, setting: null });
  });

  it('refuses writes into another clinic, whatever the query says', async () => {
    await expect(
      inClinic(t.db, a.clinic.id, (c) =>
        sql`INSERT INTO daily_counters (clinic_id, clinic_day, kind, value) VALUES (${b.clinic.id}, ${day}, 'probe', 1)`.execute(c),
      ),
    ).rejects.toThrow(/row-level security/);
    const moved = await inClinic(t.db, a.clinic.id, (c) => sql`UPDATE patients SET address = 'moved' WHERE id = ${theirs.patient.id}`.execute(c));
    expect(moved.numAffectedRows).toBe(0n);
    const untouched = await t.owner.query('SELECT address FROM patients WHERE id = $1', [theirs.patient.id]);
    expect(untouched.rows[0].address).toBeNull();
    await expect(sql`SELECT * FROM schema_migrations`.execute(t.db)).rejects.toThrow(/permission denied/);
  });
});
