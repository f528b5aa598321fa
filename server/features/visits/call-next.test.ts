import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from '../../test/harness.ts';
import { checkIn, registerPatient } from '../../test/factories.ts';
import { socketRequest } from '../../test/sockets.ts';

let t: TestContext;
let base: string;
beforeAll(async () => {
  t = await buildTestApp();
  base = await t.listen();
});
afterAll(async () => t?.close());

describe('call next', () => {
  it('gives doctors pressing "Call next" at the same moment each a different patient, in queue order', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary');
    const doctors = await Promise.all([1, 2, 3, 4].map(() => clinic.addUser('doctor')));
    for (let round = 0; round < 5; round++) {
      const visits = [];
      for (let i = 0; i < 4; i++) visits.push(await checkIn(secretary, (await registerPatient(secretary)).id));
      const answers = await Promise.all(doctors.map((d) => socketRequest(base, d.cookie, 'POST', '/api/visits/call-next')));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const called = answers.map((a) => (a.body as { id: string }).id);
      expect(new Set(called).size).toBe(4);
      expect([...called].sort()).toEqual(visits.map((v) => v.id).sort());
      await Promise.all(doctors.map((d, i) => d.request('POST', `/api/visits/${called[i]}/complete`, {})));
    }
    const nobody = await doctors[0].request('POST', '/api/visits/call-next', {});
    expect(nobody.status).toBe(404);
  });
});
