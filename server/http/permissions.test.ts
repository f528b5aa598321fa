import diagnostics from 'node:diagnostics_channel';
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '../../common/permissions.ts';
import { buildApp } from '../app.ts';
import { buildTestApp, patientBody, TEST_PASSWORD, type ClinicFixture, type Session, type TestContext } from '../test/harness.ts';
import { openEventStream } from '../test/sockets.ts';
import { registerErrorHandling } from './errors.ts';
import { registerGuard, type RouteAccess } from './guard.ts';

/**
 * What every route must declare, reviewed by hand: a new route fails this test until someone decides who
 * may call it, and a changed permission shows up here as a diff.
 */
const EXPECTED_ACCESS: Record<string, Permission | 'public'> = {
  'GET /api/setup': 'public',
  'POST /api/setup': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'session.self',
  'GET /api/auth/me': 'session.self',
  'PUT /api/auth/me/language': 'session.self',
  'GET /api/events': 'session.self',
  'GET /api/audit': 'audit.read',
  'GET /api/clinic': 'session.self',
  'PATCH /api/clinic': 'clinic.settings',
  'GET /api/staff': 'staff.read',
  'POST /api/staff': 'staff.manage',
  'PATCH /api/staff/:id': 'staff.manage',
  'POST /api/staff/:id/password': 'staff.manage',
  'GET /api/patients': 'patients.read',
  'POST /api/patients': 'patients.write',
  'POST /api/patients/duplicates': 'patients.write',
  'GET /api/patients/:id': 'patients.read',
  'PUT /api/patients/:id': 'patients.write',
  'GET /api/patients/:id/history': 'patients.history',
  'GET /api/appointments': 'appointments.read',
  'GET /api/appointments/slots': 'appointments.read',
  'POST /api/appointments': 'appointments.write',
  'POST /api/appointments/:id/reschedule': 'appointments.write',
  'POST /api/appointments/:id/cancel': 'appointments.write',
  'POST /api/appointments/:id/no-show': 'appointments.write',
  'POST /api/visits': 'visits.checkin',
  'GET /api/visits/board': 'visits.board',
  'GET /api/visits/my-queue': 'visits.consult',
  'POST /api/visits/call-next': 'visits.consult',
  'GET /api/visits/:id': 'visits.read',
  'GET /api/visits/:id/history': 'visits.read',
  'POST /api/visits/:id/call': 'visits.consult',
  'POST /api/visits/:id/complete': 'visits.consult',
  'POST /api/visits/:id/cancel': 'visits.frontdesk_exit',
  'POST /api/visits/:id/left-without-being-seen': 'visits.frontdesk_exit',
  'GET /api/services': 'billing.read',
  'POST /api/services': 'billing.prices',
  'PUT /api/services/:id': 'billing.prices',
  'GET /api/charges': 'billing.read',
  'POST /api/charges/:id/waive': 'billing.waive',
  'POST /api/charges/:id/defer': 'billing.waive',
  'POST /api/charges/:id/cancel': 'billing.waive',
  'POST /api/payments': 'billing.collect',
  'GET /api/invoices': 'billing.read',
  'GET /api/invoices/:id': 'billing.read',
  'GET /api/invoices/:id/pdf': 'billing.read',
  'POST /api/invoices/:id/refunds': 'billing.refund',
  'GET /api/billing/day': 'billing.read',
  'GET /api/billing/day.csv': 'billing.read',
};

interface CollectedRoute {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

/**
 * Builds one more app on the same database and records every route it registers, through Fastify's
 * public `fastify.initialization` diagnostics channel: the hook is in place before the first route.
 */
async function collectRoutes(t: TestContext): Promise<CollectedRoute[]> {
  const routes: CollectedRoute[] = [];
  const onInit = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url, access: route.config?.access });
    });
  };
  diagnostics.subscribe('fastify.initialization', onInit);
  try {
    const app = await buildApp({ db: t.db, config: t.config, clock: t.clock, outboxIntervalMs: 1000 });
    await app.close();
  } finally {
    diagnostics.unsubscribe('fastify.initialization', onInit);
  }
  return routes;
}

/** Reads `printRoutes()` back into "METHOD /full/path" entries: the router's own view of what is served. */
function servedRoutes(tree: string): string[] {
  const served: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.replace(/\s+$/, ''));
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    const path = stack.join('');
    for (const method of match[3]?.split(', ') ?? []) served.push(`${method} ${path}`);
  }
  return served;
}

const FAKE_ID = '00000000-0000-4000-8000-000000000000';
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** A well-formed request for each route, so an allowed caller gets past the guard (and then a 2xx, 400 or 404). */
function sampleRequest(key: string): { url: string; body?: unknown } {
  const [method, path] = key.split(' ');
  const url = path.replace(':id', FAKE_ID);
  const bodies: Record<string, unknown> = {
    'POST /api/setup': {
      clinicName: 'Second clinic',
      timeZone: 'UTC',
      currency: 'JOD',
      defaultLanguage: 'en',
      admin: { username: `setup-${randomBytes(3).toString('hex')}`, displayName: 'Someone', password: TEST_PASSWORD },
    },
    'POST /api/auth/login': { username: `nobody-${randomBytes(3).toString('hex')}`, password: 'not the password' },
    'PUT /api/auth/me/language': { language: 'en' },
    'PATCH /api/clinic': { waitThresholdMinutes: 30 },
    'POST /api/staff': { username: `lab-${randomBytes(4).toString('hex')}`, displayName: 'New technician', role: 'lab', password: TEST_PASSWORD },
    'PATCH /api/staff/:id': { displayName: 'Renamed' },
    'POST /api/staff/:id/password': { password: TEST_PASSWORD },
    'POST /api/patients': patientBody(),
    'POST /api/patients/duplicates': patientBody(),
    'PUT /api/patients/:id': { ...patientBody(), version: 1 },
    'POST /api/appointments': { doctorId: FAKE_ID, patientId: FAKE_ID, startsAt: `${tomorrow}T10:00:00.000Z` },
    'POST /api/appointments/:id/reschedule': { startsAt: `${tomorrow}T10:00:00.000Z`, version: 1 },
    'POST /api/appointments/:id/cancel': { reason: 'Patient phoned', version: 1 },
    'POST /api/appointments/:id/no-show': { version: 1 },
    'POST /api/visits': { patientId: FAKE_ID },
    'POST /api/services': { code: `S${randomBytes(3).toString('hex').toUpperCase()}`, nameEn: 'Dressing', nameAr: 'غيار', kind: 'procedure', priceMinor: 5000 },
    'PUT /api/services/:id': { nameEn: 'Dressing', nameAr: 'غيار', priceMinor: 5000, taxRateBp: 0, active: true, version: 1 },
    'POST /api/charges/:id/waive': { reason: 'Hardship', version: 1 },
    'POST /api/charges/:id/defer': { reason: 'Pays tomorrow', version: 1 },
    'POST /api/charges/:id/cancel': { reason: 'Entered twice', version: 1 },
    'POST /api/payments': { idempotencyKey: `key-${randomBytes(6).toString('hex')}`, patientId: FAKE_ID, chargeIds: [FAKE_ID], parts: [{ method: 'cash', amountMinor: 1000 }] },
    'POST /api/invoices/:id/refunds': { idempotencyKey: `key-${randomBytes(6).toString('hex')}`, method: 'cash', reason: 'Overcharged', lines: [{ chargeId: FAKE_ID, amountMinor: 100 }] },
  };
  const queries: Record<string, string> = {
    'GET /api/patients': '?q=lina',
    'GET /api/appointments': `?from=${tomorrow}`,
    'GET /api/appointments/slots': `?doctorId=${FAKE_ID}&date=${tomorrow}`,
  };
  if (method === 'GET') return { url: url + (queries[key] ?? '') };
  return { url, body: bodies[key] ?? {} };
}

const DENIALS = ['unauthenticated', 'session_expired', 'forbidden', 'csrf_header_missing'];

function expectErrorShape(body: any, code: string) {
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
}

let t: TestContext;
let clinic: ClinicFixture;
const sessions = {} as Record<Role, Session>;
let routes: CollectedRoute[];

beforeAll(async () => {
  t = await buildTestApp();
  clinic = await t.createClinic();
  sessions.admin = clinic.admin;
  for (const role of ['secretary', 'doctor', 'lab'] as const) sessions[role] = await clinic.addUser(role);
  routes = await collectRoutes(t);
});
afterAll(async () => t?.close());

async function anonymous(method: string, url: string, body?: unknown, headers: Record<string, string> = { 'x-requested-with': 'doctors-system' }) {
  const response = await t.app.fastify.inject({ method: method as 'GET', url, headers, ...(body !== undefined && { payload: body as object }) });
  return { status: response.statusCode, body: response.json() };
}

describe('every route declares its access', () => {
  it('collects the same routes the router serves, each with an access rule', () => {
    const collected = routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    const served = servedRoutes(t.app.fastify.printRoutes({ commonPrefix: false })).filter((r) => !r.startsWith('HEAD '));
    expect(new Set(collected)).toEqual(new Set(served));
    expect(collected.length).toBe(Object.keys(EXPECTED_ACCESS).length);
    for (const route of routes) expect(route.access, `${route.method} ${route.url}`).toBeDefined();
  });

  it('declares exactly the reviewed permission on every route', () => {
    const declared = Object.fromEntries(
      routes.filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r.access && 'public' in r.access ? 'public' : r.access?.permission]),
    );
    expect(declared).toEqual(EXPECTED_ACCESS);
    // Automatic HEAD routes answer like their GET and must be guarded the same way.
    for (const head of routes.filter((r) => r.method === 'HEAD')) {
      expect(head.access, head.url).toEqual(routes.find((r) => r.method === 'GET' && r.url === head.url)?.access);
    }
  });

  it('keeps the matrix to the roles the clinic has', () => {
    // Only administrators run the clinic; only doctors consult; the lab sees no patient data yet.
    const holders = (p: Permission) => ROLES.filter((role) => can(role, p));
    expect(holders('staff.manage')).toEqual(['admin']);
    expect(holders('clinic.settings')).toEqual(['admin']);
    expect(holders('audit.read')).toEqual(['admin']);
    expect(holders('visits.consult')).toEqual(['doctor']);
    expect(holders('visits.checkin')).toEqual(['secretary']);
    expect(holders('patients.write')).toEqual(['secretary']);
    // Only the front desk takes money; only administrators set prices, waive charges and refund.
    expect(holders('billing.collect')).toEqual(['secretary']);
    expect(holders('billing.prices')).toEqual(['admin']);
    expect(holders('billing.waive')).toEqual(['admin']);
    expect(holders('billing.refund')).toEqual(['admin']);
    expect(holders('billing.read')).toEqual(['admin', 'secretary']);
    expect(ROLE_PERMISSIONS.lab).toEqual(['session.self', 'staff.read']);
    for (const role of ROLES) for (const p of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(p);
  });
});

describe('the guard enforces the matrix', () => {
  const keys = Object.keys(EXPECTED_ACCESS).filter((k) => k !== 'GET /api/events');

  it('refuses anonymous callers with 401 on every non-public route, before reading the body', async () => {
    for (const key of keys) {
      const [method] = key.split(' ');
      const { url, body } = sampleRequest(key);
      const empty = method === 'GET' ? undefined : {};
      for (const payload of method === 'GET' ? [undefined] : [body, empty, { unexpected: ['field'] }]) {
        const response = await anonymous(method, url, payload);
        if (EXPECTED_ACCESS[key] === 'public') {
          expect(DENIALS, key).not.toContain(response.body.error?.code);
        } else {
          expect(response.status, key).toBe(401);
          expectErrorShape(response.body, 'unauthenticated');
        }
      }
    }
    const stream = await anonymous('GET', '/api/events');
    expect(stream.status).toBe(401);
    expectErrorShape(stream.body, 'unauthenticated');
  });

  for (const role of ROLES) {
    it(`lets ${role} through exactly where the matrix says`, async () => {
      for (const key of keys) {
        const [method] = key.split(' ');
        const access = EXPECTED_ACCESS[key];
        const allowed = access === 'public' || can(role, access);
        // Logging out ends the session it is called with: use a session of its own.
        const session = key === 'POST /api/auth/logout' ? await clinic.login(sessions[role].user) : sessions[role];
        const { url, body } = sampleRequest(key);
        if (allowed) {
          const response = await session.request(method, url, body);
          expect(DENIALS, `${role} ${key} → ${response.status} ${JSON.stringify(response.body)}`).not.toContain(response.body?.error?.code);
          expect(response.status, key).toBeLessThan(500);
        } else {
          for (const payload of method === 'GET' ? [undefined] : [body, {}]) {
            const response = await session.request(method, url, payload);
            expect(response.status, `${role} ${key}`).toBe(403);
            expectErrorShape(response.body, 'forbidden');
          }
        }
      }
      // The event stream never ends by itself, so it is opened over a socket and closed again.
      const stream = await openEventStream(await listening(), sessions[role].cookie);
      expect(can(role, 'session.self')).toBe(true);
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      stream.close();
    });
  }

  it('records every refusal by the guard as denied', async () => {
    const before = await t.owner.query('SELECT max(id) AS id FROM audit_log');
    const response = await sessions.lab.request('GET', '/api/patients?q=x');
    expect(response.status).toBe(403);
    const { rows } = await t.owner.query('SELECT * FROM audit_log WHERE id > $1', [before.rows[0].id ?? 0]);
    expect(rows).toEqual([
      expect.objectContaining({ actor_id: sessions.lab.user.id, action: 'GET /api/patients', outcome: 'denied', ip: '127.0.0.1', session_id: expect.any(String) }),
    ]);
  });

  it('refuses every state change without the CSRF header, signed in or not', async () => {
    for (const key of keys.filter((k) => !k.startsWith('GET '))) {
      const [method] = key.split(' ');
      const { url, body } = sampleRequest(key);
      const callers: Record<string, string>[] = [{}, { cookie: sessions.admin.cookie }, { cookie: sessions.secretary.cookie }];
      for (const headers of callers) {
        const response = await anonymous(method, url, body, headers);
        expect(response.status, key).toBe(403);
        expectErrorShape(response.body, 'csrf_header_missing');
      }
    }
    // Nothing happened: the admin's session and the clinic are as they were.
    expect((await sessions.admin.request('GET', '/api/auth/me')).status).toBe(200);
  });
});

let baseUrl: string | null = null;
async function listening() {
  baseUrl ??= await t.listen();
  return baseUrl;
}

describe('default deny at start-up', () => {
  function tinyApp() {
    const app = Fastify();
    void app.register(cookie);
    registerErrorHandling(app);
    registerGuard(app, { db: t.db, config: t.config });
    return app;
  }

  it('refuses to start with an API route that declares no access', async () => {
    const app = tinyApp();
    expect(() => app.get('/api/forgotten', async () => ({ leaked: true }))).toThrow(/declares no access/);
    expect(() => app.post('/api/forgotten', { config: {} }, async () => ({ leaked: true }))).toThrow(/declares no access/);
    await app.close();
  });

  it('accepts declared routes and guards them', async () => {
    const app = tinyApp();
    app.get('/api/declared', { config: { access: { permission: 'audit.read' } } }, async () => ({ ok: true }));
    app.get('/api/open', { config: { access: { public: true } } }, async () => ({ ok: true }));
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/api/declared' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/declared', headers: { cookie: sessions.secretary.cookie } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/declared', headers: { cookie: sessions.admin.cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/open' })).statusCode).toBe(200);
    await app.close();
  });

  it('answers unknown API addresses with a JSON 404 in the error shape', async () => {
    const response = await sessions.admin.request('GET', `/api/nothing-here/${randomUUID()}`);
    expect(response.status).toBe(404);
    expectErrorShape(response.body, 'not_found');
  });
});
