import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';
import type { Role } from '../../common/permissions.ts';
import { buildApp, type App } from '../app.ts';
import type { Clock } from '../clock.ts';
import { loadConfig, type Config } from '../config.ts';
import { createDb, type Db } from '../db/database.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { databaseUrl } from './global-setup.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | null = null;

/** A clock tests can move; it starts at the real time. */
export function testClock(start = new Date()): Clock & { set(d: Date): void; advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), set: (d) => void (now = d.getTime()), advance: (ms) => void (now += ms) };
}

/** A database of its own for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `ds_t_${inject('pgRunId')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
      break;
    } catch (error) {
      // Two files cloning the template in the same instant can collide; a short retry settles it.
      if (attempt > 20) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  return {
    url: databaseUrl(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      // Connections of the pools just closed may still be saying goodbye; forcing them off at once makes
      // the server send a FATAL to a client that is ending, which surfaces as an uncaught error. Wait for
      // them briefly, and force only what is left after that.
      for (let attempt = 0; attempt < 50; attempt++) {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestUser {
  id: string;
  username: string;
  role: Role;
  displayName: string;
}

export interface Session {
  user: TestUser;
  cookie: string;
  /** Calls the API as this user through app.inject(), with the CSRF header on state changes. */
  request(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export interface TestContext {
  app: App;
  db: Db;
  /** Owner connection: bypasses row-level security, for setting up and inspecting state. */
  owner: pg.Pool;
  clock: ReturnType<typeof testClock>;
  config: Config;
  url: string;
  close(): Promise<void>;
  /** A fresh clinic with an admin; more staff with addUser. */
  createClinic(options?: { timeZone?: string; name?: string }): Promise<ClinicFixture>;
  /** Starts listening on a real socket and returns its base URL. */
  listen(): Promise<string>;
}

export interface ClinicFixture {
  id: string;
  admin: Session;
  addUser(role: Role, displayName?: string): Promise<Session>;
  login(user: TestUser, password?: string): Promise<Session>;
}

export async function buildTestApp(overrides: Partial<Config> = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const db = createDb(database.url, { role: 'doctors_app', poolSize: 12 });
  const owner = new pg.Pool({ connectionString: database.url, max: 3 });
  const clock = testClock();
  const config: Config = { ...loadConfig({}), webDist: '/nonexistent', ...overrides };
  const app = await buildApp({ db, config, clock, outboxIntervalMs: 50, logger: process.env.TEST_LOG === '1' });

  async function login(user: TestUser, password = TEST_PASSWORD): Promise<Session> {
    const response = await app.fastify.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': 'doctors-system' }, payload: { username: user.username, password } });
    if (response.statusCode !== 200) throw new Error(`login of ${user.username} failed: ${response.body}`);
    const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    return sessionFor(user, cookie);
  }

  function sessionFor(user: TestUser, cookie: string): Session {
    return {
      user,
      cookie,
      async request(method, url, body) {
        const response = await app.fastify.inject({
          method: method as 'GET',
          url,
          headers: { cookie, ...(method !== 'GET' && { 'x-requested-with': 'doctors-system' }) },
          ...(body !== undefined && { payload: body as object }),
        });
        let parsed: unknown = response.body;
        try {
          parsed = JSON.parse(response.body);
        } catch {
          // not JSON: keep the text
        }
        return { status: response.statusCode, body: parsed, headers: response.headers };
      },
    };
  }

  async function insertUser(clinicId: string, role: Role, displayName: string): Promise<TestUser> {
    passwordHash ??= hashPassword(TEST_PASSWORD);
    const user: TestUser = { id: randomUUID(), username: `${role}-${randomBytes(4).toString('hex')}`, role, displayName };
    await owner.query(
      'INSERT INTO users (id, clinic_id, username, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6)',
      [user.id, clinicId, user.username, displayName, role, await passwordHash],
    );
    if (role === 'doctor') {
      await owner.query("INSERT INTO doctor_profiles (user_id, clinic_id, consultation_type, slot_minutes) VALUES ($1, $2, 'general', 15)", [user.id, clinicId]);
      for (let weekday = 0; weekday < 7; weekday++) {
        await owner.query("INSERT INTO doctor_schedule_blocks (clinic_id, doctor_id, weekday, start_time, end_time) VALUES ($1, $2, $3, '00:00', '23:45')", [
          clinicId,
          user.id,
          weekday,
        ]);
      }
    }
    return user;
  }

  return {
    app,
    db,
    owner,
    clock,
    config,
    url: database.url,
    async close() {
      await app.close();
      await db.destroy();
      await owner.end();
      await database.drop();
    },
    async createClinic(options = {}) {
      const id = randomUUID();
      await owner.query("INSERT INTO clinics (id, name, time_zone, currency, default_language) VALUES ($1, $2, $3, 'JOD', 'en')", [
        id,
        options.name ?? `Clinic ${id.slice(0, 6)}`,
        options.timeZone ?? 'UTC',
      ]);
      const admin = await login(await insertUser(id, 'admin', 'Admin'));
      return {
        id,
        admin,
        login,
        addUser: async (role, displayName) => login(await insertUser(id, role, displayName ?? `${role} ${randomBytes(2).toString('hex')}`)),
      };
    },
    async listen() {
      await app.fastify.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
    },
  };
}

let counter = 0;
/** A valid patient registration body; each call gives a distinct person. */
export function patientBody(overrides: Record<string, unknown> = {}) {
  counter++;
  const unique = `${Date.now() % 1e6}${counter}`.padStart(8, '0');
  const letters = unique.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]);
  return {
    givenNameLatin: `Lina${letters}`,
    familyNameLatin: `Haddad${letters}`,
    sex: 'female',
    birthDate: `19${String(50 + (counter % 50)).padStart(2, '0')}-0${1 + (counter % 9)}-1${counter % 9}`,
    phone: `+9627${unique}`,
    ...overrides,
  };
}
