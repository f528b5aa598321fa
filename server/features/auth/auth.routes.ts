import type { FastifyReply } from 'fastify';
import { ChangeLanguageBody, LoginBody, Me, SetupBody, SetupStatus } from '../../../common/auth.ts';
import { Ok } from '../../../common/schema.ts';
import { requireActor, sessionCookieName } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import * as auth from './auth.service.ts';

export function authRoutes(app: TypedApp, deps: auth.AuthDeps): void {
  const cookieName = sessionCookieName(deps.config);
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(cookieName, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: Boolean(deps.config.tlsCert),
      maxAge: deps.config.sessionAbsoluteHours * 3600,
    });

  app.get('/api/setup', { config: { access: { public: true } }, schema: { response: responses(200, SetupStatus) } }, async () => ({
    needsSetup: await auth.isSetupNeeded(deps.db),
  }));

  app.post(
    '/api/setup',
    { config: { access: { public: true } }, schema: { body: SetupBody, response: responses(201, Me) } },
    async (request, reply) => {
      const { token, me } = await auth.setUpClinic(deps, request.body, request.ip, request.headers['user-agent'] ?? null);
      setCookie(reply, token);
      return reply.status(201).send(me);
    },
  );

  app.post(
    '/api/auth/login',
    { config: { access: { public: true } }, schema: { body: LoginBody, response: responses(200, Me) } },
    async (request, reply) => {
      const { token, me } = await auth.logIn(deps, request.body, request.ip, request.headers['user-agent'] ?? null);
      setCookie(reply, token);
      return me;
    },
  );

  app.post('/api/auth/logout', { config: { access: { permission: 'session.self' } }, schema: { response: responses(200, Ok) } }, async (request, reply) => {
    await auth.logOut(deps, requireActor(request));
    reply.clearCookie(cookieName, { path: '/' });
    return { ok: true as const };
  });

  app.get('/api/auth/me', { config: { access: { permission: 'session.self' } }, schema: { response: responses(200, Me) } }, async (request) => {
    const actor = requireActor(request);
    return auth.currentUser(deps, actor.clinicId, actor.userId);
  });

  app.put(
    '/api/auth/me/language',
    { config: { access: { permission: 'session.self' } }, schema: { body: ChangeLanguageBody, response: responses(200, Ok) } },
    async (request) => {
      await auth.setLanguage(deps, requireActor(request), request.body.language);
      return { ok: true as const };
    },
  );
}
