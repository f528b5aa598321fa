import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { LoginBody, Me, SetupBody } from '../../../common/auth.ts';
import { AppError } from '../../../common/errors.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { inClinic, writeTx, type Actor, type TxDeps } from '../../events/transaction.ts';
import { hashToken } from './tokens.ts';
import * as q from './auth.queries.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export interface AuthDeps extends TxDeps {
  config: Config;
}

const FAILURE_WINDOW_MINUTES = 15;
const MAX_FAILURES_PER_ACCOUNT = 5;
const MAX_FAILURES_PER_ADDRESS = 30;
const SETUP_LOCK = 727_002;

export interface NewSession {
  token: string;
  me: Me;
}

async function openSession(deps: AuthDeps, actor: Actor, userAgent: string | null, conn: Parameters<Parameters<typeof inClinic>[2]>[0]) {
  const token = randomBytes(32).toString('base64url');
  const sessionId = randomUUID();
  await q.insertSession(conn, {
    id: sessionId,
    clinic_id: actor.clinicId,
    user_id: actor.userId,
    token_hash: hashToken(token),
    expires_at: new Date(Date.now() + deps.config.sessionAbsoluteHours * 3600_000),
    ip: actor.ip ?? '',
    user_agent: userAgent?.slice(0, 300) ?? null,
  });
  return { token, sessionId };
}

function toMe(row: Awaited<ReturnType<typeof q.loadMe>>, config: Config): Me {
  return { ...row, currency: row.currency.trim(), idleMinutes: config.sessionIdleMinutes } as Me;
}

/** True until the first clinic and its admin exist. */
export async function isSetupNeeded(db: Db): Promise<boolean> {
  return q.setupNeeded(db);
}

/** Creates the first clinic and its admin, once: a second attempt (even a concurrent one) is refused. */
export async function setUpClinic(deps: AuthDeps, body: SetupBody, ip: string, userAgent: string | null): Promise<NewSession> {
  if (!isValidTimeZone(body.timeZone)) throw new AppError('validation_failed', 'Unknown time zone.', { fields: [{ field: 'timeZone' }] });
  const clinicId = randomUUID();
  const adminId = randomUUID();
  const passwordHash = await hashPassword(body.admin.password);
  const actor: Actor = { userId: adminId, clinicId, role: 'admin', sessionId: null, ip, displayName: body.admin.displayName };
  let token = '';
  await writeTx(deps, actor, 'clinic.setup', async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`.execute(tx.db);
    if (!(await q.setupNeeded(tx.db))) throw new AppError('already_set_up', 'This clinic is already set up. Sign in instead.');
    await tx.db
      .insertInto('clinics')
      .values({ id: clinicId, name: body.clinicName, time_zone: body.timeZone, currency: body.currency, default_language: body.defaultLanguage })
      .execute();
    await tx.db
      .insertInto('users')
      .values({
        id: adminId,
        clinic_id: clinicId,
        username: body.admin.username,
        display_name: body.admin.displayName,
        role: 'admin',
        password_hash: passwordHash,
        language: body.defaultLanguage,
      })
      .execute();
    const session = await openSession(deps, actor, userAgent, tx.db);
    token = session.token;
    tx.audit({ entityType: 'clinic', entityId: clinicId });
  });
  return { token, me: await currentUser(deps, clinicId, adminId) };
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const invalid = () => new AppError('invalid_credentials', 'The username or password is not correct.');

/**
 * Signs a person in. Unknown accounts and wrong passwords get the same answer in the same time; repeated
 * failures are throttled per account and per address.
 */
export async function logIn(deps: AuthDeps, body: LoginBody, ip: string, userAgent: string | null): Promise<NewSession> {
  const accountKey = `account:${body.username.toLowerCase()}`;
  const addressKey = `address:${ip}`;
  const failures = await q.recentFailures(deps.db, [accountKey, addressKey], FAILURE_WINDOW_MINUTES);
  if ((failures.get(accountKey) ?? 0) >= MAX_FAILURES_PER_ACCOUNT || (failures.get(addressKey) ?? 0) >= MAX_FAILURES_PER_ADDRESS) {
    throw new AppError('too_many_attempts', `Too many failed sign-ins. Try again in ${FAILURE_WINDOW_MINUTES} minutes.`);
  }
  const login = await q.findLogin(deps.db, body.username);
  const passwordOk = await verifyPassword(login?.password_hash ?? null, body.password);
  if (!login || !passwordOk || !login.active) {
    await q.recordFailures(deps.db, [accountKey, addressKey]);
    if (login) {
      const actor: Actor = { userId: login.user_id, clinicId: login.clinic_id, role: 'lab', sessionId: null, ip, displayName: '' };
      await writeTx(deps, actor, 'auth.login_failed', async (tx) => tx.audit({ entityType: 'user', entityId: login.user_id }));
    }
    throw invalid();
  }
  await q.clearFailures(deps.db, accountKey);
  const actor: Actor = { userId: login.user_id, clinicId: login.clinic_id, role: 'lab', sessionId: null, ip, displayName: '' };
  const token = await writeTx(deps, actor, 'auth.login', async (tx) => {
    const session = await openSession(deps, actor, userAgent, tx.db);
    tx.audit({ entityType: 'session', entityId: session.sessionId });
    return session.token;
  });
  return { token, me: await currentUser(deps, login.clinic_id, login.user_id) };
}

/** Ends the session now; its cookie is useless afterwards. */
export async function logOut(deps: AuthDeps, actor: Actor): Promise<void> {
  await writeTx(deps, actor, 'auth.logout', async (tx) => {
    if (actor.sessionId) await q.revokeSession(tx.db, actor.sessionId, 'logout');
    tx.audit({ entityType: 'session', entityId: actor.sessionId });
  });
}

export async function currentUser(deps: AuthDeps, clinicId: string, userId: string): Promise<Me> {
  return toMe(await inClinic(deps.db, clinicId, (conn) => q.loadMe(conn, userId)), deps.config);
}

/** Changes the signed-in person's own interface language. */
export async function setLanguage(deps: AuthDeps, actor: Actor, language: 'en' | 'ar'): Promise<void> {
  await writeTx(deps, actor, 'user.language', async (tx) => {
    await tx.db.updateTable('users').set({ language }).where('id', '=', actor.userId).execute();
    tx.audit({ entityType: 'user', entityId: actor.userId, details: { language } });
  });
}
