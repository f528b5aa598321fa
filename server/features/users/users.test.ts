import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_PASSWORD, type ClinicFixture, type TestContext } from '../../test/harness.ts';

let t: TestContext;
let clinic: ClinicFixture;

beforeAll(async () => {
  t = await buildTestApp();
  clinic = await t.createClinic();
});
afterAll(async () => t?.close());

const uniqueName = (prefix: string) => `${prefix}.${randomBytes(3).toString('hex')}`;

async function create(body: Record<string, unknown>) {
  return clinic.admin.request('POST', '/api/staff', { displayName: 'New Person', password: TEST_PASSWORD, ...body });
}

async function canLogIn(username: string, password = TEST_PASSWORD) {
  const response = await t.app.fastify.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: '10.77.0.1',
    headers: { 'x-requested-with': 'doctors-system' },
    payload: { username, password },
  });
  return response.statusCode === 200;
}

describe('staff accounts', () => {
  it('creates an account with its role, which can then sign in', async () => {
    for (const role of ['admin', 'secretary', 'doctor', 'lab'] as const) {
      const username = uniqueName(role);
      const created = await create({ username, role, displayName: `The ${role}`, language: 'ar' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username, role, displayName: `The ${role}`, active: true, language: 'ar' });
      // Doctors get the default working week; nobody else has a schedule.
      if (role === 'doctor') expect(created.body.schedule).toMatchObject({ slotMinutes: 15, consultationType: 'general', blocks: expect.any(Array) });
      else expect(created.body.schedule).toBeNull();
      expect(created.body).not.toHaveProperty('password');
      expect(created.body).not.toHaveProperty('passwordHash');
      expect(await canLogIn(username)).toBe(true);
      const listed = await clinic.admin.request('GET', `/api/staff?role=${role}`);
      expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(created.body.id);
      expect(listed.body.items.every((s: { role: string }) => s.role === role)).toBe(true);
    }
    const stored = await t.owner.query("SELECT password_hash FROM users WHERE clinic_id = $1 AND role = 'lab'", [clinic.id]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses a username that is taken, in any letter case and in any clinic', async () => {
    const username = uniqueName('taken');
    expect((await create({ username, role: 'secretary' })).status).toBe(201);
    for (const attempt of [username, username.toUpperCase()]) {
      const again = await create({ username: attempt, role: 'lab' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('username_taken');
    }
    const elsewhere = await t.createClinic();
    const there = await elsewhere.admin.request('POST', '/api/staff', { username, role: 'lab', displayName: 'Other', password: TEST_PASSWORD });
    expect(there.body.error.code).toBe('username_taken');
    const count = await t.owner.query('SELECT count(*)::int AS n FROM users WHERE lower(username) = lower($1)', [username]);
    expect(count.rows[0].n).toBe(1);
  });

  it('validates what it is given', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['short password', { username: uniqueName('x'), role: 'lab', password: 'short' }],
      ['username with spaces', { username: 'two words', role: 'lab' }],
      ['unknown role', { username: uniqueName('x'), role: 'owner' }],
      ['unknown field', { username: uniqueName('x'), role: 'lab', isAdmin: true }],
      ['empty display name', { username: uniqueName('x'), role: 'lab', displayName: '' }],
    ];
    for (const [name, body] of cases) {
      const response = await create(body);
      expect(response.status, name).toBe(400);
      expect(response.body.error.code, name).toBe('validation_failed');
    }
  });

  it('deactivates and reactivates an account', async () => {
    const username = uniqueName('nurse');
    const created = await create({ username, role: 'secretary' });
    const id = created.body.id;
    const session = await clinic.login({ id, username, role: 'secretary', displayName: 'New Person' });

    const off = await clinic.admin.request('PATCH', `/api/staff/${id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await session.request('GET', '/api/auth/me')).status).toBe(401);
    expect(await canLogIn(username)).toBe(false);
    const revoked = await t.owner.query('SELECT revoked_reason FROM sessions WHERE user_id = $1', [id]);
    expect(revoked.rows.map((r) => r.revoked_reason)).toEqual(['deactivated']);

    const on = await clinic.admin.request('PATCH', `/api/staff/${id}`, { active: true });
    expect(on.body.active).toBe(true);
    expect(await canLogIn(username)).toBe(true);
    // Reactivation does not revive the sessions that deactivation ended.
    expect((await session.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('resets a password: the old one stops working and sessions end', async () => {
    const username = uniqueName('reset');
    const id = (await create({ username, role: 'doctor' })).body.id;
    const session = await clinic.login({ id, username, role: 'doctor', displayName: 'New Person' });
    const reset = await clinic.admin.request('POST', `/api/staff/${id}/password`, { password: 'the replacement password' });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ ok: true });
    expect((await session.request('GET', '/api/auth/me')).status).toBe(401);
    expect(await canLogIn(username)).toBe(false);
    expect(await canLogIn(username, 'the replacement password')).toBe(true);
    const tooShort = await clinic.admin.request('POST', `/api/staff/${id}/password`, { password: 'short' });
    expect(tooShort.status).toBe(400);
    const nobody = await clinic.admin.request('POST', '/api/staff/00000000-0000-4000-8000-000000000000/password', { password: 'the replacement password' });
    expect(nobody.status).toBe(404);
  });

  it('keeps doctors’ schedules valid', async () => {
    const username = uniqueName('dr');
    const schedule = {
      slotMinutes: 20,
      consultationType: 'specialist',
      blocks: [
        { weekday: 1, start: '09:00', end: '12:00' },
        { weekday: 1, start: '14:00', end: '18:00' },
        { weekday: 3, start: '08:00', end: '13:00' },
      ],
    };
    const created = await create({ username, role: 'doctor', schedule });
    expect(created.status).toBe(201);
    expect(created.body.schedule).toEqual(schedule);

    const bad: [string, unknown][] = [
      ['ends before it starts', { ...schedule, blocks: [{ weekday: 2, start: '12:00', end: '09:00' }] }],
      ['empty period', { ...schedule, blocks: [{ weekday: 2, start: '09:00', end: '09:00' }] }],
      ['overlapping periods', { ...schedule, blocks: [{ weekday: 2, start: '09:00', end: '12:00' }, { weekday: 2, start: '11:30', end: '13:00' }] }],
      ['no such hour', { ...schedule, blocks: [{ weekday: 2, start: '24:00', end: '25:00' }] }],
      ['no such weekday', { ...schedule, blocks: [{ weekday: 7, start: '09:00', end: '10:00' }] }],
      ['slot too short', { ...schedule, slotMinutes: 1 }],
      ['unknown consultation type', { ...schedule, consultationType: 'surgery' }],
    ];
    for (const [name, value] of bad) {
      const onCreate = await create({ username: uniqueName('dr'), role: 'doctor', schedule: value });
      expect(onCreate.status, name).toBe(400);
      expect(onCreate.body.error.code, name).toBe('validation_failed');
      const onUpdate = await clinic.admin.request('PATCH', `/api/staff/${created.body.id}`, { schedule: value });
      expect(onUpdate.status, name).toBe(400);
    }
    // Only doctors have schedules.
    const secretary = await create({ username: uniqueName('sec'), role: 'secretary', schedule });
    expect(secretary.status).toBe(400);
    const unchanged = await clinic.admin.request('GET', '/api/staff?role=doctor');
    expect(unchanged.body.items.find((s: { id: string }) => s.id === created.body.id).schedule).toEqual(schedule);

    const replaced = await clinic.admin.request('PATCH', `/api/staff/${created.body.id}`, { schedule: { ...schedule, blocks: [{ weekday: 5, start: '10:00', end: '11:00' }] } });
    expect(replaced.body.schedule.blocks).toEqual([{ weekday: 5, start: '10:00', end: '11:00' }]);
  });

  it('does not let an administrator deactivate or demote themselves', async () => {
    const self = clinic.admin.user.id;
    for (const body of [{ active: false }, { role: 'secretary' }]) {
      const response = await clinic.admin.request('PATCH', `/api/staff/${self}`, body);
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('unprocessable');
    }
    const row = await t.owner.query('SELECT role, active FROM users WHERE id = $1', [self]);
    expect(row.rows[0]).toEqual({ role: 'admin', active: true });
    expect((await clinic.admin.request('GET', '/api/auth/me')).status).toBe(200);
    // Renaming oneself is fine.
    expect((await clinic.admin.request('PATCH', `/api/staff/${self}`, { displayName: 'Head Admin' })).body.displayName).toBe('Head Admin');
  });

  it('is managed by administrators only; everyone may see the staff list', async () => {
    for (const role of ['secretary', 'doctor', 'lab'] as const) {
      const session = await clinic.addUser(role);
      expect((await session.request('POST', '/api/staff', { username: uniqueName('x'), role: 'admin', displayName: 'Me', password: TEST_PASSWORD })).status).toBe(403);
      expect((await session.request('PATCH', `/api/staff/${session.user.id}`, { role: 'admin' })).status).toBe(403);
      const list = await session.request('GET', '/api/staff');
      expect(list.status).toBe(200);
      expect(list.body.items.some((s: { id: string }) => s.id === session.user.id)).toBe(true);
    }
  });
});
