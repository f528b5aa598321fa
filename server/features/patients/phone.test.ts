import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, patientBody, type TestContext } from '../../test/harness.ts';

let t: TestContext;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t?.close());

describe('phone numbers written in different ways', () => {
  it('finds and flags the same number with or without the country code or trunk zero', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary');
    const stored = await secretary.request('POST', '/api/patients', patientBody({ phone: '+962 79 555 1234' }));
    expect(stored.status).toBe(201);
    for (const typed of ['0795551234', '00962795551234', '795551234', '٠٧٩٥٥٥١٢٣٤']) {
      const found = await secretary.request('GET', `/api/patients?q=${encodeURIComponent(typed)}`);
      expect(found.body.items.map((p: { id: string }) => p.id)).toContain(stored.body.id);
    }
    const duplicate = await secretary.request('POST', '/api/patients/duplicates', patientBody({ phone: '0795551234' }));
    expect(duplicate.body.items).toEqual([expect.objectContaining({ reasons: ['phone'] })]);
  });
});
