import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setConsultationPrice } from '../../test/billing-factories.ts';
import { registerPatient } from '../../test/factories.ts';
import { buildTestApp, type Session, type TestContext } from '../../test/harness.ts';

let t: TestContext;
beforeAll(async () => {
  t = await buildTestApp();
  t.clock.set(new Date('2031-07-01T08:00:00.000Z'));
});
afterAll(async () => t?.close());

const PATIENTS = 3;
const step = fc.oneof(
  fc.record({ kind: fc.constant('check_in' as const), patient: fc.nat(PATIENTS - 1) }),
  fc.record({ kind: fc.constant('pay' as const), patient: fc.nat(PATIENTS - 1), split: fc.boolean() }),
  fc.record({ kind: fc.constant('waive' as const), patient: fc.nat(PATIENTS - 1), defer: fc.boolean() }),
  fc.record({ kind: fc.constant('refund' as const), patient: fc.nat(PATIENTS - 1), share: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('cancel' as const), patient: fc.nat(PATIENTS - 1) }),
  fc.record({ kind: fc.constant('call' as const), patient: fc.nat(PATIENTS - 1) }),
  fc.record({ kind: fc.constant('complete' as const), patient: fc.nat(PATIENTS - 1) }),
);

async function rows(text: string, params: unknown[]) {
  return (await t.owner.query(text, params)).rows;
}

/** The patient's active visit, if any, and its consultation charge as stored. */
async function activeVisit(patientId: string) {
  const [visit] = await rows(
    "SELECT id, status, doctor_id FROM visits WHERE patient_id = $1 AND status NOT IN ('completed', 'cancelled', 'left_without_being_seen')",
    [patientId],
  );
  if (!visit) return null;
  const [charge] = await rows("SELECT id, status, deferred, version FROM charges WHERE visit_id = $1 AND kind = 'consultation' AND status <> 'cancelled'", [visit.id]);
  return { ...visit, charge: charge ?? null };
}

describe('billing driven at random', () => {
  it('never starts a consultation unpaid, and the ledger always balances', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps) => {
        const clinic = await t.createClinic();
        const secretary = await clinic.addUser('secretary');
        const doctor: Session = await clinic.addUser('doctor');
        await setConsultationPrice(clinic.admin, 12_345, 'general', 1600);
        const patients: string[] = [];
        for (let i = 0; i < PATIENTS; i++) patients.push((await registerPatient(secretary)).id);

        for (const s of steps) {
          const patientId = patients[s.patient];
          const visit = await activeVisit(patientId);
          let response: { status: number; body: any } | null = null;
          if (s.kind === 'check_in') {
            response = await secretary.request('POST', '/api/visits', { patientId });
          } else if (s.kind === 'pay') {
            const pending = (await secretary.request('GET', `/api/charges?patientId=${patientId}`)).body.items.filter((c: { status: string }) => c.status === 'pending');
            if (pending.length === 0) continue;
            const total = pending.reduce((sum: number, c: { totalMinor: number }) => sum + c.totalMinor, 0);
            const parts = s.split && total > 1
              ? [{ method: 'cash', amountMinor: total - 1 }, { method: 'card', amountMinor: 1, reference: 'T-1' }]
              : [{ method: 'transfer', amountMinor: total }];
            response = await secretary.request('POST', '/api/payments', { idempotencyKey: newKey(), patientId, chargeIds: pending.map((c: { id: string }) => c.id), parts });
            expect(response.status, JSON.stringify(response.body)).toBe(201);
          } else if (s.kind === 'waive') {
            if (!visit?.charge || visit.charge.status !== 'pending') continue;
            response = await clinic.admin.request('POST', `/api/charges/${visit.charge.id}/${s.defer ? 'defer' : 'waive'}`, { reason: 'Random hardship', version: visit.charge.version });
          } else if (s.kind === 'refund') {
            const [invoice] = await rows('SELECT i.id, i.snapshot FROM invoices i WHERE i.patient_id = $1 ORDER BY i.seq DESC LIMIT 1', [patientId]);
            if (!invoice) continue;
            const chargeId = invoice.snapshot.lines[0].chargeId;
            const [charge] = await rows('SELECT amount_minor + tax_minor - refunded_minor AS left FROM charges WHERE id = $1', [chargeId]);
            const amountMinor = Math.max(1, Math.floor((Number(charge.left) * s.share) / 100));
            response = await clinic.admin.request('POST', `/api/invoices/${invoice.id}/refunds`, { idempotencyKey: newKey(), method: 'cash', reason: 'Random refund', lines: [{ chargeId, amountMinor }] });
            expect([201, 422]).toContain(response.status);
            if (Number(charge.left) === 0) expect(response.body.error.code).toBe('amount_mismatch');
          } else if (s.kind === 'cancel') {
            if (!visit) continue;
            response = await secretary.request('POST', `/api/visits/${visit.id}/cancel`, {});
          } else if (s.kind === 'call') {
            if (!visit) continue;
            response = await doctor.request('POST', `/api/visits/${visit.id}/call`, {});
            const cleared = !visit.charge || ['paid', 'waived'].includes(visit.charge.status) || (visit.charge.status === 'pending' && visit.charge.deferred);
            if (visit.status === 'awaiting_payment' || (visit.status === 'waiting' && !cleared)) {
              expect(response.status).toBe(402);
              expect(response.body.error.code).toBe('payment_required');
            }
            if (response.status === 200) expect(cleared, 'a consultation started unpaid').toBe(true);
          } else if (s.kind === 'complete') {
            if (!visit) continue;
            response = await doctor.request('POST', `/api/visits/${visit.id}/complete`, {});
          }
          expect(response!.status, `${s.kind}: ${JSON.stringify(response!.body)}`).toBeLessThan(500);

          // No visit is in consultation, or waiting in the queue, while its consultation is owed.
          const blocked = await rows(
            `SELECT v.id, v.status FROM visits v JOIN charges c ON c.visit_id = v.id AND c.kind = 'consultation'
             WHERE v.clinic_id = $1 AND c.status = 'pending' AND NOT c.deferred AND v.status IN ('waiting', 'in_consultation')
               AND NOT EXISTS (SELECT 1 FROM visit_history h WHERE h.visit_id = v.id AND h.to_status = 'in_consultation')`,
            [clinic.id],
          );
          expect(blocked).toEqual([]);
        }

        // Money in minus money out is what the charges say was paid and not refunded.
        const [ledger] = await rows(
          `SELECT (SELECT coalesce(sum(total_minor), 0) FROM payments WHERE clinic_id = $1)
                - (SELECT coalesce(sum(total_minor), 0) FROM credit_notes WHERE clinic_id = $1) AS cash,
                  (SELECT coalesce(sum(amount_minor + tax_minor - refunded_minor), 0) FROM charges
                    WHERE clinic_id = $1 AND status IN ('paid', 'refunded')) AS owed_paid`,
          [clinic.id],
        );
        expect(ledger.cash).toBe(ledger.owed_paid);
        // Invoice and credit-note numbers have no gap and no repeat.
        for (const table of ['invoices', 'credit_notes']) {
          const numbers = (await rows(`SELECT seq FROM ${table} WHERE clinic_id = $1 ORDER BY seq`, [clinic.id])).map((r) => r.seq);
          expect(numbers).toEqual(numbers.map((_, i) => i + 1));
        }
      }),
      { numRuns: 12 },
    );
  });
});
