import { createHash } from 'node:crypto';
import type pg from 'pg';
import { patientBody, type Session, type TestContext } from './harness.ts';

/** Registers a patient through the API and returns the record; duplicates are acknowledged. */
export async function registerPatient(session: Session, overrides: Record<string, unknown> = {}) {
  const response = await session.request('POST', '/api/patients', { ...patientBody(overrides), acknowledgeDuplicates: true });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; mrn: string; version: number; givenNameLatin: string; familyNameLatin: string; phone: string };
}

/** Checks a patient in as a walk-in and returns the visit. */
export async function checkIn(session: Session, patientId: string, doctorId?: string) {
  const response = await session.request('POST', '/api/visits', { patientId, ...(doctorId && { doctorId }) });
  if (response.status !== 201) throw new Error(`check-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; status: string; queueNumber: number };
}

/**
 * Pins the clinic clock to 08:00 UTC of a fixed future day, so slots, "today" and "already passed" do not
 * depend on when the suite runs. Returns that day.
 */
export function pinDay(t: TestContext, day = '2031-03-04'): string {
  t.clock.set(new Date(`${day}T08:00:00.000Z`));
  return day;
}

/** The id of the session behind a test session's cookie, found by the token's hash as the server stores it. */
export async function sessionIdOf(owner: pg.Pool, session: Session): Promise<string> {
  const token = session.cookie.split('; ').map((c) => c.split('='))[0][1];
  const hash = createHash('sha256').update(token).digest();
  const { rows } = await owner.query('SELECT id FROM sessions WHERE token_hash = $1', [hash]);
  if (!rows[0]) throw new Error('no session for this cookie');
  return rows[0].id;
}

/** The highest audit row id so far: later rows are what an action wrote. */
export async function auditMark(owner: pg.Pool): Promise<string> {
  const { rows } = await owner.query('SELECT coalesce(max(id), 0) AS id FROM audit_log');
  return rows[0].id;
}

export async function auditSince(owner: pg.Pool, mark: string) {
  const { rows } = await owner.query('SELECT *, jsonb_typeof(details) AS details_type FROM audit_log WHERE id > $1 ORDER BY id', [mark]);
  return rows;
}
