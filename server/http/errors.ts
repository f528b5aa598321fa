import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorBody } from '../../common/errors.ts';

function validationDetails(error: FastifyError): Record<string, unknown> {
  const fields = (error.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string })?.missingProperty;
    const extra = (v.params as { additionalProperty?: string })?.additionalProperty;
    const where = v.instancePath?.replace(/^\//, '').replace(/\//g, '.') || missing || extra || '';
    return { field: where || (error.validationContext ?? 'body'), rule: v.keyword, message: v.message ?? '' };
  });
  return { fields };
}

/** Maps every failure to `{ error: { code, message, details? } }`; a 500 shows only an id for the logs. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      const body: ErrorBody = { error: { code: error.code, message: error.message, details: error.details } };
      return reply.status(ERROR_STATUS[error.code]).send(body);
    }
    if (error.validation) {
      const body: ErrorBody = {
        error: { code: 'validation_failed', message: 'Some fields are missing or not valid.', details: validationDetails(error) },
      };
      return reply.status(400).send(body);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 404 ? 'not_found' : status === 429 ? 'too_many_attempts' : 'bad_request';
      const message = status === 413 ? 'The request is too large.' : status === 415 ? 'Send JSON.' : 'The request could not be read.';
      return reply.status(status).send({ error: { code, message } } satisfies ErrorBody);
    }
    const incident = randomUUID();
    request.log.error({ err: error, incident }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: `Something went wrong on our side (incident ${incident}).`, details: { incident } } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `No such address: ${request.method} ${request.url.split("?")[0].slice(0, 200)}` } } satisfies ErrorBody);
  });
}

function containsNul(root: unknown): boolean {
  const pending = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/**
 * PostgreSQL text cannot hold U+0000, so such input would fail inside a query as a 500. Refuse it as
 * invalid instead, after the schema checks so their field-by-field answers come first.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if (containsNul(request.query) || containsNul(request.body)) {
      throw new AppError('validation_failed', 'Text may not contain the NUL character.', {
        fields: [{ field: containsNul(request.body) ? 'body' : 'querystring', rule: 'no_nul', message: 'must not contain U+0000' }],
      });
    }
  });
}
