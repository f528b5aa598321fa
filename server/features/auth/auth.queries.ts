import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export async function setupNeeded(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ needed: boolean }>`SELECT auth_setup_needed() AS needed`.execute(db);
  return rows[0].needed;
}

export async function findLogin(db: Db, username: string) {
  const { rows } = await sql<{ user_id: string; clinic_id: string; password_hash: string; active: boolean }>`
    SELECT * FROM auth_find_login(${username})`.execute(db);
  return rows[0] ?? null;
}

export async function recentFailures(db: Db, keys: string[], windowMinutes: number) {
  const rows = await db
    .selectFrom('login_failures')
    .select(['key', db.fn.countAll<string>().as('count')])
    .where('key', 'in', keys)
    .where('at', '>', sql<Date>`now() - make_interval(mins => ${windowMinutes})`)
    .groupBy('key')
    .execute();
  return new Map(rows.map((r) => [r.key, Number(r.count)]));
}

export async function recordFailures(db: Db, keys: string[]) {
  await db.insertInto('login_failures').values(keys.map((key) => ({ key }))).execute();
}

export async function clearFailures(db: Db, key: string) {
  await db.deleteFrom('login_failures').where('key', '=', key).execute();
}

export async function insertSession(
  db: Kysely<Database>,
  row: { id: string; clinic_id: string; user_id: string; token_hash: Buffer; expires_at: Date; ip: string; user_agent: string | null },
) {
  await db.insertInto('sessions').values(row).execute();
}

export async function revokeSession(db: Kysely<Database>, sessionId: string, reason: string) {
  await db.updateTable('sessions').set({ revoked_at: sql`now()`, revoked_reason: reason }).where('id', '=', sessionId).execute();
}

export async function revokeUserSessions(db: Kysely<Database>, userId: string, reason: string) {
  await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function loadMe(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('users')
    .innerJoin('clinics', 'clinics.id', 'users.clinic_id')
    .select([
      'users.id as userId',
      'users.clinic_id as clinicId',
      'clinics.name as clinicName',
      'clinics.time_zone as timeZone',
      'clinics.currency as currency',
      'users.username',
      'users.display_name as displayName',
      'users.role',
      'users.grants',
      'users.language',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirstOrThrow();
}
