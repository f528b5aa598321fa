import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, pendingCharges, setConsultationPrice } from '../../test/billing-factories.ts';
import { checkIn, registerPatient } from '../../test/factories.ts';
import { buildTestApp, type ClinicFixture, type Session, type TestContext } from '../../test/harness.ts';
import { socketRequest } from '../../test/sockets.ts';

// Real sockets, every request of a round sent at once: PostgreSQL sees them truly in parallel.

let t: TestContext;
let base: string;
let clinic: ClinicFixture;
let secretaries: Session[];
let doctor: Session;

beforeAll(async () => {
  t = await buildTestApp();
  t.clock.set(new Date('2031-08-01T08:00:00.000Z'));
  base = await t.listen();
  clinic = await t.createClinic();
  secretaries = [];
  for (let i = 0; i < 3; i++) secretaries.push(await clinic.addUser('secretary'));
  doctor = await clinic.addUser('doctor');
  await setConsultationPrice(clinic.admin, 10_000);
});
afterAll(async () => t?.close());

const call = (session: Session, method: string, url: string, body?: unknown) => socketRequest(base, session.cookie, method, url, body);

async function patientOwing() {
  const patient = await registerPatient(secretaries[0]);
  const visit = await checkIn(secretaries[0], patient.id);
  const [charge] = await pendingCharges(secretaries[0], patient.id);
  return { patient, visit, charge };
}

describe('simultaneous payments', () => {
  it('takes the money once for 20 requests with one idempotency key, and answers all 20 alike', async () => {
    for (let round = 0; round < 3; round++) {
      const { patient, charge } = await patientOwing();
      const body = { idempotencyKey: newKey(), patientId: patient.id, chargeIds: [charge.id], parts: [{ method: 'cash', amountMinor: 10_000 }] };
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(secretaries[i % 3], 'POST', '/api/payments', body)));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
      for (const r of responses) expect(r.body).toEqual(responses[0].body);
      const { rows } = await t.owner.query('SELECT count(*)::int AS n FROM payments WHERE patient_id = $1', [patient.id]);
      expect(rows[0].n).toBe(1);
    }
  });

  it('numbers 20 simultaneous invoices consecutively, with no gap and no repeat, even with failures among them', async () => {
    const owing = [];
    for (let i = 0; i < 20; i++) owing.push(await patientOwing());
    const [{ rows: before }] = [await t.owner.query("SELECT coalesce(max(seq), 0)::int AS last FROM invoices WHERE clinic_id = $1", [clinic.id])];
    const responses = await Promise.all(
      owing.map(({ patient, charge }, i) =>
        call(secretaries[i % 3], 'POST', '/api/payments', {
          idempotencyKey: newKey(),
          patientId: patient.id,
          chargeIds: [charge.id],
          // Every fifth request pays the wrong amount and is rolled back: it must not leave a gap.
          parts: [{ method: 'cash', amountMinor: i % 5 === 4 ? 9_999 : 10_000 }],
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(16);
    expect(responses.filter((r) => r.status === 422)).toHaveLength(4);
    const numbers = responses.filter((r) => r.status === 201).map((r) => Number(r.body.invoice.number.slice(-6))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 16 }, (_, i) => before[0].last + 1 + i));
  });

  it('never lets a consultation start unpaid when the payment and the call race', async () => {
    for (let round = 0; round < 10; round++) {
      const { patient, visit, charge } = await patientOwing();
      const [payment, called] = await Promise.all([
        call(secretaries[round % 3], 'POST', '/api/payments', { idempotencyKey: newKey(), patientId: patient.id, chargeIds: [charge.id], parts: [{ method: 'cash', amountMinor: 10_000 }] }),
        call(doctor, 'POST', `/api/visits/${visit.id}/call`, {}),
      ]);
      expect(payment.status).toBe(201);
      expect([200, 402]).toContain(called.status);
      const { rows } = await t.owner.query('SELECT v.status, c.status AS charge FROM visits v JOIN charges c ON c.visit_id = v.id WHERE v.id = $1', [visit.id]);
      if (called.status === 200) expect(rows[0]).toEqual({ status: 'in_consultation', charge: 'paid' });
      else expect(rows[0]).toEqual({ status: 'waiting', charge: 'paid' });
      if (rows[0].status === 'waiting') expect((await call(doctor, 'POST', `/api/visits/${visit.id}/call`, {})).status).toBe(200);
      expect((await call(doctor, 'POST', `/api/visits/${visit.id}/complete`, {})).status).toBe(200);
    }
  });
});
