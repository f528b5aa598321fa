import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Keys } from './crypto/keys.ts';
import { startOutboxTailer, type OutboxTailer } from './events/outbox.ts';
import { startAuditSealer } from './features/audit/audit.chain.ts';
import { refuseNulCharacters, registerErrorHandling } from './http/errors.ts';
import { registerGuard } from './http/guard.ts';
import { typed } from './http/routes.ts';
import { createEventHub, type EventHub } from './http/sse.ts';
import { auditRoutes } from './features/audit/audit.routes.ts';
import { billingRoutes } from './features/billing/billing.routes.ts';
import { authRoutes } from './features/auth/auth.routes.ts';
import { clinicRoutes } from './features/clinic/clinic.routes.ts';
import { patientsRoutes } from './features/patients/patients.routes.ts';
import { schedulingRoutes } from './features/scheduling/scheduling.routes.ts';
import { usersRoutes } from './features/users/users.routes.ts';
import { visitsRoutes } from './features/visits/visits.routes.ts';

export interface AppDeps {
  db: Db;
  config: Config;
  clock: Clock;
  logger?: boolean;
  /** Outbox polling interval; tests shorten it. */
  outboxIntervalMs?: number;
  /** With keys, this process also seals the audit trail's hash chain in the background. */
  keys?: Keys;
}

export interface App {
  fastify: FastifyInstance;
  hub: EventHub;
  tailer: OutboxTailer;
  close(): Promise<void>;
}

function securityHeaders(app: FastifyInstance, config: Config) {
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    if (config.tlsCert) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

function serveWeb(app: FastifyInstance, config: Config) {
  const index = path.join(config.webDist, 'index.html');
  if (!fs.existsSync(index)) return;
  app.register(fastifyStatic, { root: config.webDist, wildcard: false, index: false });
  // Client-side routes all load the same page; unknown /api/ addresses stay JSON 404s.
  app.get('/*', { config: {} }, (request, reply) => {
    const file = path.join(config.webDist, path.normalize(request.url.split('?')[0]).replace(/^(\.\.[/\\])+/, ''));
    if (file.startsWith(config.webDist) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      return reply.sendFile(path.relative(config.webDist, file));
    }
    return reply.type('text/html').send(fs.createReadStream(index));
  });
}

/** Builds the whole application from its dependencies: every feature is registered in this one list. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const fastify = Fastify({
    logger: deps.logger ? { level: 'info', redact: ['req.headers.cookie', 'req.headers.authorization'] } : false,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    ...(deps.config.tlsCert && {
      https: { cert: fs.readFileSync(deps.config.tlsCert), key: fs.readFileSync(deps.config.tlsKey!) },
    }),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const hub = createEventHub({ db: deps.db, config: deps.config });
  const tailer = await startOutboxTailer(deps.db, (rows) => hub.deliver(rows), deps.outboxIntervalMs ?? 250);
  hub.attach(tailer);
  const sealer = deps.keys ? startAuditSealer(deps.db, deps.keys.auditChain) : null;
  const txDeps = { db: deps.db, onEventsCommitted: () => tailer.wake() };
  const featureDeps = { ...txDeps, config: deps.config, clock: deps.clock };

  await fastify.register(cookie);
  registerErrorHandling(fastify);
  registerGuard(fastify, deps);
  refuseNulCharacters(fastify);
  securityHeaders(fastify, deps.config);

  const api = typed(fastify);
  authRoutes(api, featureDeps);
  clinicRoutes(api, featureDeps);
  usersRoutes(api, featureDeps);
  patientsRoutes(api, featureDeps);
  schedulingRoutes(api, featureDeps);
  visitsRoutes(api, featureDeps);
  billingRoutes(api, featureDeps);
  auditRoutes(api, featureDeps);
  hub.register(fastify);
  serveWeb(fastify, deps.config);

  await fastify.ready();
  return {
    fastify,
    hub,
    tailer,
    async close() {
      tailer.stop();
      hub.close();
      await sealer?.stop();
      await fastify.close();
    },
  };
}
