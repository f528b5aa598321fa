import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS } from '../../common/errors.ts';
import { refuseNulCharacters, registerErrorHandling } from './errors.ts';

async function tinyApp() {
  const app = Fastify();
  registerErrorHandling(app);
  refuseNulCharacters(app);
  app.get('/boom', async () => {
    throw new Error('relation "patients" does not exist at /srv/app/server/features/patients.queries.ts:12');
  });
  app.get('/refused', async () => {
    throw new AppError('doctor_busy', 'Finish the current visit first.', { visitId: 'v1' });
  });
  app.post('/typed', { schema: { body: Type.Object({ name: Type.String({ maxLength: 5 }) }, { additionalProperties: false }) } }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('the error handler', () => {
  it('answers an unexpected failure with an incident id and nothing else', async () => {
    const app = await tinyApp();
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(body).toEqual({ error: { code: 'internal', message: expect.stringMatching(/incident [0-9a-f-]{36}/), details: { incident: expect.any(String) } } });
    expect(response.body).not.toMatch(/relation|patients|\/srv|\.ts|stack/);
    await app.close();
  });

  it('maps each AppError code to its status and keeps its details', async () => {
    const app = await tinyApp();
    const response = await app.inject({ method: 'GET', url: '/refused' });
    expect(response.statusCode).toBe(ERROR_STATUS.doctor_busy);
    expect(response.json()).toEqual({ error: { code: 'doctor_busy', message: 'Finish the current visit first.', details: { visitId: 'v1' } } });
    await app.close();
  });

  it('turns schema failures into validation_failed with the field', async () => {
    const app = await tinyApp();
    const long = await app.inject({ method: 'POST', url: '/typed', payload: { name: 'far too long' } });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ error: { code: 'validation_failed', message: expect.any(String), details: { fields: [{ field: 'name', rule: 'maxLength', message: expect.any(String) }] } } });
    const missing = await app.inject({ method: 'POST', url: '/typed', payload: {} });
    expect(missing.json().error.details.fields[0]).toMatchObject({ field: 'name', rule: 'required' });
    await app.close();
  });

  it('refuses the NUL character anywhere in a body or query', async () => {
    const app = await tinyApp();
    for (const url of ['/boom?q=%00', '/boom?a=1&b=x%00y']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const body = await app.inject({ method: 'POST', url: '/typed', payload: { name: 'a\u0000' } });
    expect(body.statusCode).toBe(400);
    expect(body.json().error.details.fields[0]).toMatchObject({ field: 'body', rule: 'no_nul' });
    expect((await app.inject({ method: 'POST', url: '/typed', payload: { name: 'fine' } })).statusCode).toBe(200);
    await app.close();
  });

  it('answers unknown addresses in the error shape', async () => {
    const app = await tinyApp();
    const response = await app.inject({ method: 'DELETE', url: '/nowhere?secret=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'No such address: DELETE /nowhere' } });
    await app.close();
  });
});
