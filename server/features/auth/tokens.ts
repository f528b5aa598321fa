import { createHash } from 'node:crypto';

/** Only this hash of a session token is ever stored, so a copy of the database opens no session. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
