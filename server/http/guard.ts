import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../../common/errors.ts';
import { can, type Permission, type Role } from '../../common/permissions.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { auditDenied, type Actor } from '../events/transaction.ts';
import { hashToken } from '../features/auth/tokens.ts';

export type RouteAccess = { permission: Permission } | { public: true };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const CSRF_HEADER = 'x-requested-with';

export function sessionCookieName(config: Config): string {
  // The __Host- prefix needs the Secure flag, which browsers honour only over TLS.
  return config.tlsCert ? '__Host-session' : 'session';
}

export interface SessionRow {
  session_id: string;
  user_id: string;
  clinic_id: string;
  role: Role;
  username: string;
  display_name: string;
  language: 'en' | 'ar';
  grants: string[];
}

/** Resolves a session token to its live session, touching it unless `touch` is false (event streams). */
export async function lookupSession(db: Db, token: string, idleMinutes: number, touch: boolean): Promise<SessionRow | null> {
  const { rows } = await sql<SessionRow>`SELECT * FROM auth_session(${hashToken(token)}, ${idleMinutes}, ${touch})`.execute(db);
  return rows[0] ?? null;
}

export function actorFromSession(row: SessionRow, ip: string): Actor {
  return { userId: row.user_id, clinicId: row.clinic_id, role: row.role, sessionId: row.session_id, ip, displayName: row.display_name, grants: row.grants };
}

/**
 * Default deny: every route must declare its access, or the app refuses to start. Each request is then
 * checked for a CSRF header (state changes), a live session, and the route's permission. The check runs
 * as soon as the request arrives, before its body is read or validated, so a caller who may not use a
 * route learns nothing about what it expects.
 */
export function registerGuard(app: FastifyInstance, deps: { db: Db; config: Config }): void {
  const cookieName = sessionCookieName(deps.config);
  app.decorateRequest('actor', null);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !route.config?.access) {
      throw new Error(`route ${route.method} ${route.url} declares no access: add config.access`);
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access;
    if (!access) return;
    if (request.method !== 'GET' && request.method !== 'HEAD' && !request.headers[CSRF_HEADER]) {
      throw new AppError('csrf_header_missing', 'This request must come from the Doctors-System app.');
    }
    const token = request.cookies[cookieName];
    const isStream = request.url.startsWith('/api/events');
    const session = token ? await lookupSession(deps.db, token, deps.config.sessionIdleMinutes, !isStream) : null;
    if (session) request.actor = actorFromSession(session, request.ip);
    if ('public' in access) return;
    if (!session) {
      throw new AppError(token ? 'session_expired' : 'unauthenticated', token ? 'Your session has ended. Please sign in again.' : 'Please sign in.');
    }
    if (!can(session.role, access.permission, session.grants)) {
      await auditDenied(deps.db, request.actor!, `${request.method} ${request.routeOptions.url}`);
      throw new AppError('forbidden', 'Your role does not allow this action.');
    }
  });
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated', 'Please sign in.');
  return request.actor;
}
