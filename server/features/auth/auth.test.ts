import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../../test/factories.ts';
import { buildTestApp, TEST_PASSWORD, type ClinicFixture, type TestContext } from '../../test/harness.ts';
import { eventually, openEventStream } from '../../test/sockets.ts';

let t: TestContext;
let clinic: ClinicFixture;

beforeAll(async () => {
  t = await buildTestApp();
  clinic = await t.createClinic();
});
afterAll(async () => t?.close());

const CSRF = { 'x-requested-with': 'doctors-system' };
let addressCounter = 0;
/** Each throttling test signs in from an address of its own, so one test's failures never block another. */
const freshAddress = () => `10.0.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

async function login(username: string, password: string, remoteAddress = '127.0.0.1') {
  const response = await t.app.fastify.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: CSRF, payload: { username, password } });
  return { status: response.statusCode, body: response.json(), headers: response.headers, cookies: response.cookies };
}

function setupBody(username: string) {
  return {
    clinicName: 'Al-Shifa Clinic',
    timeZone: 'Asia/Amman',
    currency: 'JOD',
    defaultLanguage: 'ar',
    admin: { username, displayName: 'First Admin', password: TEST_PASSWORD },
  };
}

describe('first-run setup', () => {
  it('sets the clinic up once, then refuses', async () => {
    const fresh = await buildTestApp();
    try {
      const status = await fresh.app.fastify.inject({ method: 'GET', url: '/api/setup' });
      expect(status.json()).toEqual({ needsSetup: true });
      const first = await fresh.app.fastify.inject({ method: 'POST', url: '/api/setup', headers: CSRF, payload: setupBody('first.admin') });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toMatchObject({ role: 'admin', username: 'first.admin', clinicName: 'Al-Shifa Clinic', timeZone: 'Asia/Amman', language: 'ar' });
      // Setting up signs the admin in.
      const cookie = first.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      expect((await fresh.app.fastify.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
      expect((await fresh.app.fastify.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needsSetup: false });

      const second = await fresh.app.fastify.inject({ method: 'POST', url: '/api/setup', headers: CSRF, payload: setupBody('second.admin') });
      expect(second.statusCode).toBe(409);
      expect(second.json().error.code).toBe('already_set_up');
      const clinics = await fresh.owner.query('SELECT count(*)::int AS n FROM clinics');
      const users = await fresh.owner.query("SELECT username FROM users WHERE username = 'second.admin'");
      expect(clinics.rows[0].n).toBe(1);
      expect(users.rows).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('lets exactly one of several simultaneous setups succeed', async () => {
    const fresh = await buildTestApp();
    try {
      const base = await fresh.listen();
      const attempts = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          fetch(`${base}/api/setup`, { method: 'POST', headers: { ...CSRF, 'content-type': 'application/json' }, body: JSON.stringify(setupBody(`racer${i}`)) }).then(
            async (r) => ({ status: r.status, body: await r.json() }),
          ),
        ),
      );
      expect(attempts.filter((a) => a.status === 201)).toHaveLength(1);
      expect(attempts.filter((a) => a.status === 409 && a.body.error.code === 'already_set_up')).toHaveLength(5);
      const clinics = await fresh.owner.query('SELECT count(*)::int AS n FROM clinics');
      const admins = await fresh.owner.query("SELECT count(*)::int AS n FROM users WHERE role = 'admin'");
      expect([clinics.rows[0].n, admins.rows[0].n]).toEqual([1, 1]);
    } finally {
      await fresh.close();
    }
  });

  it('is refused once any clinic exists', async () => {
    const response = await t.app.fastify.inject({ method: 'POST', url: '/api/setup', headers: CSRF, payload: setupBody('late.admin') });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('already_set_up');
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie and stores only the token hash', async () => {
    const secretary = await clinic.addUser('secretary');
    const response = await login(secretary.user.username, TEST_PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ userId: secretary.user.id, role: 'secretary', clinicId: clinic.id, idleMinutes: 15 });
    const cookie = response.cookies.find((c) => c.name === 'session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // Without TLS the Secure flag would make browsers drop the cookie; with TLS it is __Host- and Secure.
    expect(cookie.secure).toBeFalsy();
    expect(Buffer.from(cookie.value, 'base64url')).toHaveLength(32);

    const { rows } = await t.owner.query('SELECT * FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1', [secretary.user.id]);
    expect(rows[0].token_hash).toEqual(createHash('sha256').update(cookie.value).digest());
    const stored = JSON.stringify(rows[0], (_key, value) => (value?.type === 'Buffer' ? Buffer.from(value.data).toString('hex') : value));
    expect(stored).not.toContain(cookie.value);
    expect(stored).not.toContain(Buffer.from(cookie.value).toString('hex'));

    // Every sign-in opens a new session with a new token.
    const again = await login(secretary.user.username, TEST_PASSWORD);
    expect(again.cookies.find((c) => c.name === 'session')!.value).not.toBe(cookie.value);
  });

  it('gives the same answer for an unknown user, a wrong password and a deactivated account', async () => {
    const secretary = await clinic.addUser('secretary');
    const inactive = await clinic.addUser('lab');
    await t.owner.query('UPDATE users SET active = false WHERE id = $1', [inactive.user.id]);
    const address = freshAddress();
    const unknown = await login('nobody-at-all', TEST_PASSWORD, address);
    const wrong = await login(secretary.user.username, 'wrong password here', address);
    const disabled = await login(inactive.user.username, TEST_PASSWORD, address);
    for (const answer of [unknown, wrong, disabled]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(unknown.body);
      expect(answer.cookies).toEqual([]);
    }
    expect(unknown.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error.details).toBeUndefined();
  });

  it('refuses malformed sign-ins as invalid input, never as a server error', async () => {
    const address = freshAddress();
    for (const payload of [{ username: 'admin\u0000', password: TEST_PASSWORD }, { username: '', password: 'x' }, { username: 'a', password: 'b', remember: true }]) {
      const response = await t.app.fastify.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: address, headers: CSRF, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
  });

  it('throttles an account after 5 failures, even with the right password', async () => {
    const doctor = await clinic.addUser('doctor');
    for (let i = 0; i < 5; i++) expect((await login(doctor.user.username, `wrong password ${i}`, freshAddress())).status).toBe(401);
    for (const address of [freshAddress(), freshAddress()]) {
      const blocked = await login(doctor.user.username, TEST_PASSWORD, address);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe('too_many_attempts');
      expect(blocked.cookies).toEqual([]);
    }
    // The account name is matched however it is typed.
    expect((await login(doctor.user.username.toUpperCase(), TEST_PASSWORD, freshAddress())).status).toBe(429);
    // Once the failures are old enough, the right password works again.
    await t.owner.query("UPDATE login_failures SET at = at - interval '16 minutes' WHERE key = $1", [`account:${doctor.user.username}`]);
    expect((await login(doctor.user.username, TEST_PASSWORD, freshAddress())).status).toBe(200);
  });

  it('throttles an address after 30 failures, whichever accounts they were for', async () => {
    const secretary = await clinic.addUser('secretary');
    const address = freshAddress();
    for (let i = 0; i < 30; i++) expect((await login(`guess-${i}`, 'some password', address)).status).toBe(401);
    const blocked = await login(secretary.user.username, TEST_PASSWORD, address);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');
    expect((await login(secretary.user.username, TEST_PASSWORD, freshAddress())).status).toBe(200);
  });
});

describe('sessions end', () => {
  it('after the idle timeout', async () => {
    const secretary = await clinic.addUser('secretary');
    expect((await secretary.request('GET', '/api/auth/me')).status).toBe(200);
    const sessionId = await sessionIdOf(t.owner, secretary);
    await t.owner.query("UPDATE sessions SET last_seen_at = now() - interval '14 minutes' WHERE id = $1", [sessionId]);
    expect((await secretary.request('GET', '/api/auth/me')).status).toBe(200);
    // That request counted as activity: the idle clock starts again.
    const touched = await t.owner.query('SELECT last_seen_at > now() - $2::interval AS fresh FROM sessions WHERE id = $1', [sessionId, '1 minute']);
    expect(touched.rows[0].fresh).toBe(true);
    await t.owner.query("UPDATE sessions SET last_seen_at = now() - interval '16 minutes' WHERE id = $1", [sessionId]);
    const expired = await secretary.request('GET', '/api/auth/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('session_expired');
    // A late request does not bring the session back.
    await t.owner.query("UPDATE sessions SET last_seen_at = now() - interval '16 minutes' WHERE id = $1", [sessionId]);
    expect((await secretary.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('at the absolute timeout, however active', async () => {
    const secretary = await clinic.addUser('secretary');
    const sessionId = await sessionIdOf(t.owner, secretary);
    const { rows } = await t.owner.query('SELECT extract(epoch FROM expires_at - created_at)::float AS seconds FROM sessions WHERE id = $1', [sessionId]);
    // Twelve hours by default, give or take the moment between the two clocks that stamped it.
    expect(Math.abs(rows[0].seconds - 12 * 3600)).toBeLessThan(60);
    await t.owner.query("UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now() WHERE id = $1", [sessionId]);
    const expired = await secretary.request('GET', '/api/auth/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('session_expired');
  });

  it('at logout', async () => {
    const secretary = await clinic.addUser('secretary');
    const sessionId = await sessionIdOf(t.owner, secretary);
    const out = await secretary.request('POST', '/api/auth/logout', {});
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/session=;.*Expires=Thu, 01 Jan 1970/);
    const { rows } = await t.owner.query('SELECT revoked_at, revoked_reason FROM sessions WHERE id = $1', [sessionId]);
    expect(rows[0]).toMatchObject({ revoked_at: expect.any(Date), revoked_reason: 'logout' });
    const after = await secretary.request('GET', '/api/auth/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('session_expired');
  });

  it('when the account is deactivated, on the very next request, in every session', async () => {
    const doctor = await clinic.addUser('doctor');
    const second = await clinic.login(doctor.user);
    expect((await doctor.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await clinic.admin.request('PATCH', `/api/staff/${doctor.user.id}`, { active: false })).status).toBe(200);
    for (const session of [doctor, second]) {
      const refused = await session.request('GET', '/api/visits/my-queue');
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('session_expired');
    }
    // Even a session that slipped through revocation is refused while the account is inactive.
    await t.owner.query('UPDATE sessions SET revoked_at = NULL WHERE user_id = $1', [doctor.user.id]);
    expect((await doctor.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await login(doctor.user.username, TEST_PASSWORD, freshAddress())).status).toBe(401);
  });

  it('when an administrator resets the password', async () => {
    const secretary = await clinic.addUser('secretary');
    const newPassword = 'a brand new long password';
    expect((await clinic.admin.request('POST', `/api/staff/${secretary.user.id}/password`, { password: newPassword })).status).toBe(200);
    expect((await secretary.request('GET', '/api/auth/me')).body.error.code).toBe('session_expired');
    const address = freshAddress();
    expect((await login(secretary.user.username, TEST_PASSWORD, address)).status).toBe(401);
    expect((await login(secretary.user.username, newPassword, address)).status).toBe(200);
  });

  it('when the role changes, and the new session has the new role', async () => {
    const secretary = await clinic.addUser('secretary');
    expect((await secretary.request('GET', '/api/visits/board')).status).toBe(200);
    expect((await clinic.admin.request('PATCH', `/api/staff/${secretary.user.id}`, { role: 'lab' })).status).toBe(200);
    expect((await secretary.request('GET', '/api/visits/board')).body.error.code).toBe('session_expired');
    const relogged = await clinic.login(secretary.user);
    expect((await relogged.request('GET', '/api/auth/me')).body.role).toBe('lab');
    expect((await relogged.request('GET', '/api/visits/board')).status).toBe(403);
  });

  it('and an open event stream of a deactivated account is told so and closed', async () => {
    const base = await t.listen();
    const secretary = await clinic.addUser('secretary');
    const stream = await openEventStream(base, secretary.cookie);
    expect(stream.status).toBe(200);
    await stream.waitFor((e) => e.event === 'ready', 'the stream to be ready');
    expect((await clinic.admin.request('PATCH', `/api/staff/${secretary.user.id}`, { active: false })).status).toBe(200);
    await stream.waitFor((e) => e.event === 'session-ended', 'session-ended on the stream');
    await stream.waitUntilClosed();
    expect(t.app.hub.size()).toBe(0);
    // The stream cannot be reopened with that cookie.
    const again = await fetch(`${base}/api/events`, { headers: { cookie: secretary.cookie } });
    expect(again.status).toBe(401);
    await eventually(() => t.app.hub.size() === 0, 'no stream left open');
  });
});
