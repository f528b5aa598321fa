import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, formatMinor, parseMinor, taxOf } from '../../../common/billing.ts';
import { newKey, payAll, pendingCharges, setConsultationPrice } from '../../test/billing-factories.ts';
import { checkIn, registerPatient } from '../../test/factories.ts';
import { buildTestApp, type ClinicFixture, type Session, type TestContext } from '../../test/harness.ts';

let t: TestContext;
beforeAll(async () => {
  t = await buildTestApp();
  t.clock.set(new Date('2031-06-10T08:00:00.000Z'));
});
afterAll(async () => t?.close());

async function clinicWithPrice(price = 15_000) {
  const clinic = await t.createClinic();
  const secretary = await clinic.addUser('secretary', 'Sara Front');
  const doctor = await clinic.addUser('doctor', 'Dr Omar');
  const service = await setConsultationPrice(clinic.admin, price);
  return { clinic, secretary, doctor, service };
}

describe('money arithmetic', () => {
  it('works in integer minor units only', () => {
    expect(taxOf(10_000, 1600)).toBe(1600);
    expect(taxOf(333, 1600)).toBe(53); // 53.28 rounds half up to 53
    expect(taxOf(5, 1000)).toBe(1); // 0.5 rounds up
    expect(formatMinor(1234567, 'JOD')).toBe('1,234.567');
    expect(formatMinor(1234567, 'USD')).toBe('12,345.67');
    expect(formatMinor(1500, 'JPY')).toBe('1,500');
    expect(parseMinor('12.5', 'JOD')).toBe(12_500);
    expect(parseMinor('١٢٫٥', 'JOD')).toBe(null); // the Arabic decimal separator is not accepted as such
    expect(parseMinor('0.001', 'JOD')).toBe(1);
    expect(parseMinor('0.0001', 'JOD')).toBe(null);
    expect(parseMinor('-1', 'JOD')).toBe(null);
    expect(parseMinor('1e3', 'JOD')).toBe(null);
  });

  it('escapes spreadsheet formulas in CSV text', () => {
    expect(csvText('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvText('+1')).toBe("'+1");
    expect(csvText('-2')).toBe("'-2");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('Lina, Haddad')).toBe('"Lina, Haddad"');
    expect(csvText('plain')).toBe('plain');
  });
});

describe('the price list', () => {
  it('keeps one active price per consultation type and never changes an existing charge', async () => {
    const { clinic, secretary, service } = await clinicWithPrice(15_000);
    const second = await clinic.admin.request('POST', '/api/services', {
      code: 'CONS-GEN-2', nameEn: 'Consultation', nameAr: 'استشارة', kind: 'consultation', consultationType: 'general', priceMinor: 20_000,
    });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');
    const noType = await clinic.admin.request('POST', '/api/services', { code: 'CONS-X', nameEn: 'Consultation', nameAr: 'استشارة', kind: 'consultation', priceMinor: 1 });
    expect(noType.status).toBe(400);
    for (const priceMinor of [-1, 1.5, 10 ** 13, 'twelve']) {
      const bad = await clinic.admin.request('POST', '/api/services', { code: 'DRESS', nameEn: 'Dressing', nameAr: 'غيار', kind: 'procedure', priceMinor });
      expect(bad.status, String(priceMinor)).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }

    const patient = await registerPatient(secretary);
    await checkIn(secretary, patient.id);
    const changed = await clinic.admin.request('PUT', `/api/services/${service.id}`, {
      nameEn: 'Consultation', nameAr: 'استشارة', priceMinor: 99_000, taxRateBp: 0, active: true, version: service.version,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.priceMinor).toBe(99_000);
    const stale = await clinic.admin.request('PUT', `/api/services/${service.id}`, {
      nameEn: 'Consultation', nameAr: 'استشارة', priceMinor: 1, taxRateBp: 0, active: true, version: service.version,
    });
    expect(stale.body.error.code).toBe('stale_version');
    const [charge] = await pendingCharges(secretary, patient.id);
    expect(charge.totalMinor).toBe(15_000);
  });
});

describe('no consultation before payment', () => {
  it('holds the visit at awaiting payment, refuses the call, then releases it when paid', async () => {
    const { secretary, doctor } = await clinicWithPrice(15_000);
    const patient = await registerPatient(secretary);
    const visit = await checkIn(secretary, patient.id);
    expect(visit.status).toBe('awaiting_payment');

    const queue = await doctor.request('GET', '/api/visits/my-queue');
    expect(queue.body.items).toEqual([expect.objectContaining({ id: visit.id, status: 'awaiting_payment' })]);
    const refused = await doctor.request('POST', `/api/visits/${visit.id}/call`, {});
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('payment_required');
    const next = await doctor.request('POST', '/api/visits/call-next', {});
    expect(next.status).toBe(404);

    const paid = await payAll(secretary, patient.id);
    expect(paid.status).toBe(201);
    expect(paid.body.invoice.number).toBe('INV-2031-000001');
    expect((await secretary.request('GET', `/api/visits/${visit.id}`)).body.status).toBe('waiting');
    const called = await doctor.request('POST', `/api/visits/${visit.id}/call`, {});
    expect(called.status).toBe(200);
    const history = await secretary.request('GET', `/api/visits/${visit.id}/history`);
    expect(history.body.items.map((h: { toStatus: string }) => h.toStatus)).toEqual(['awaiting_payment', 'waiting', 'in_consultation']);
  });

  it('is refused by the database itself, whatever the application does', async () => {
    const { secretary } = await clinicWithPrice(15_000);
    const patient = await registerPatient(secretary);
    const visit = await checkIn(secretary, patient.id);
    for (const status of ['waiting', 'in_consultation']) {
      await expect(t.owner.query('UPDATE visits SET status = $2 WHERE id = $1', [visit.id, status])).rejects.toMatchObject({ code: 'DS402' });
    }
  });

  it('lets a waived or deferred charge through, with the reason kept, and only for the permission holder', async () => {
    const { clinic, secretary, doctor } = await clinicWithPrice(15_000);
    const [p1, p2] = [await registerPatient(secretary), await registerPatient(secretary)];
    const v1 = await checkIn(secretary, p1.id);
    const v2 = await checkIn(secretary, p2.id);
    const [c1] = await pendingCharges(secretary, p1.id);
    const [c2] = await pendingCharges(secretary, p2.id);
    expect((await secretary.request('POST', `/api/charges/${c1.id}/waive`, { reason: 'Hardship', version: c1.version })).status).toBe(403);
    const noReason = await clinic.admin.request('POST', `/api/charges/${c1.id}/waive`, { reason: '', version: c1.version });
    expect(noReason.status).toBe(400);
    const waived = await clinic.admin.request('POST', `/api/charges/${c1.id}/waive`, { reason: 'Hardship case', version: c1.version });
    expect(waived.body).toMatchObject({ status: 'waived', note: 'Hardship case' });
    const again = await clinic.admin.request('POST', `/api/charges/${c1.id}/waive`, { reason: 'Hardship case', version: waived.body.version });
    expect(again.body.error.code).toBe('already_settled');
    const deferred = await clinic.admin.request('POST', `/api/charges/${c2.id}/defer`, { reason: 'Pays after the visit', version: c2.version });
    expect(deferred.body).toMatchObject({ status: 'pending', deferred: true });
    expect((await doctor.request('POST', `/api/visits/${v1.id}/call`, {})).status).toBe(200);
    expect((await doctor.request('POST', `/api/visits/${v1.id}/complete`, {})).status).toBe(200);
    expect((await doctor.request('POST', `/api/visits/${v2.id}/call`, {})).status).toBe(200);
    // A deferred charge is still owed and can be paid later.
    expect((await payAll(secretary, p2.id)).status).toBe(201);
  });

  it('lets an admin give one secretary the waiver permission, and take it back', async () => {
    const { clinic, secretary } = await clinicWithPrice(15_000);
    const [p1, p2] = [await registerPatient(secretary), await registerPatient(secretary)];
    await checkIn(secretary, p1.id);
    await checkIn(secretary, p2.id);
    const [c1] = await pendingCharges(secretary, p1.id);
    const [c2] = await pendingCharges(secretary, p2.id);
    const bad = await clinic.admin.request('PATCH', `/api/staff/${secretary.user.id}`, { grants: ['staff.manage'] });
    expect(bad.status).toBe(400);
    const granted = await clinic.admin.request('PATCH', `/api/staff/${secretary.user.id}`, { grants: ['billing.waive'] });
    expect(granted.body.grants).toEqual(['billing.waive']);
    expect((await secretary.request('GET', '/api/auth/me')).body.grants).toEqual(['billing.waive']);
    // The same session: the grant applies from the next request on.
    const waived = await secretary.request('POST', `/api/charges/${c1.id}/waive`, { reason: 'Staff family', version: c1.version });
    expect(waived.status).toBe(200);
    await clinic.admin.request('PATCH', `/api/staff/${secretary.user.id}`, { grants: [] });
    expect((await secretary.request('POST', `/api/charges/${c2.id}/waive`, { reason: 'Staff family', version: c2.version })).status).toBe(403);
  });

  it('cancels what a cancelled visit owed', async () => {
    const { secretary } = await clinicWithPrice(15_000);
    const patient = await registerPatient(secretary);
    const visit = await checkIn(secretary, patient.id);
    expect((await secretary.request('POST', `/api/visits/${visit.id}/cancel`, { reason: 'Went home' })).status).toBe(200);
    const charges = await secretary.request('GET', `/api/charges?visitId=${visit.id}`);
    expect(charges.body.items).toEqual([expect.objectContaining({ status: 'cancelled', note: 'Went home' })]);
  });

  it('lets patients straight into the queue when the consultation is free or unpriced', async () => {
    const clinic = await t.createClinic();
    const secretary = await clinic.addUser('secretary');
    const patient = await registerPatient(secretary);
    expect((await checkIn(secretary, patient.id)).status).toBe('waiting');
  });
});

describe('clinics apart', () => {
  it('never lets another clinic see, pay, refund or print this clinic’s billing', async () => {
    const { secretary } = await clinicWithPrice(15_000);
    const patient = await registerPatient(secretary);
    await checkIn(secretary, patient.id);
    const [charge] = await pendingCharges(secretary, patient.id);
    const other = await t.createClinic();
    const stranger = await other.addUser('secretary');
    const pay = await stranger.request('POST', '/api/payments', { idempotencyKey: newKey(), patientId: patient.id, chargeIds: [charge.id], parts: [{ method: 'cash', amountMinor: 15_000 }] });
    expect(pay.status).toBe(404);
    expect((await stranger.request('GET', `/api/charges?patientId=${patient.id}`)).body.items).toEqual([]);
    const invoice = (await payAll(secretary, patient.id)).body.invoice;
    expect((await stranger.request('GET', `/api/invoices/${invoice.id}`)).status).toBe(404);
    expect((await stranger.request('GET', `/api/invoices/${invoice.id}/pdf`)).status).toBe(404);
    expect((await stranger.request('GET', `/api/invoices?q=${invoice.number}`)).body.items).toEqual([]);
    expect((await other.admin.request('POST', `/api/invoices/${invoice.id}/refunds`, { idempotencyKey: newKey(), method: 'cash', reason: 'Not ours', lines: [{ chargeId: charge.id, amountMinor: 1 }] })).status).toBe(404);
    expect((await other.admin.request('POST', `/api/charges/${charge.id}/waive`, { reason: 'Not ours', version: 1 })).status).toBe(404);
    // Each clinic numbers its own invoices from 1.
    const theirs = await registerPatient(stranger);
    await setConsultationPrice(other.admin, 1_000);
    await checkIn(stranger, theirs.id);
    expect((await payAll(stranger, theirs.id)).body.invoice.number).toMatch(/-000001$/);
  });
});

describe('payments', () => {
  let secretary: Session;
  let clinic: ClinicFixture;
  beforeAll(async () => {
    ({ clinic, secretary } = await clinicWithPrice(12_500));
  });

  it('splits a payment over methods, computes change and stores an immutable invoice', async () => {
    const patient = await registerPatient(secretary, { givenNameArabic: 'لينا', familyNameArabic: 'حداد' });
    await checkIn(secretary, patient.id);
    const [charge] = await pendingCharges(secretary, patient.id);
    const paid = await secretary.request('POST', '/api/payments', {
      idempotencyKey: newKey(),
      patientId: patient.id,
      chargeIds: [charge.id],
      parts: [
        { method: 'cash', amountMinor: 10_000, tenderedMinor: 20_000 },
        { method: 'card', amountMinor: 2_500, reference: 'TERM-7781' },
      ],
    });
    expect(paid.status).toBe(201);
    expect(paid.body.changeMinor).toBe(10_000);
    const invoice = paid.body.invoice;
    expect(invoice.number).toMatch(/^INV-2031-\d{6}$/);
    expect(invoice.snapshot).toMatchObject({
      patient: { mrn: patient.mrn, nameArabic: 'لينا حداد' },
      lines: [{ chargeId: charge.id, amountMinor: 12_500, taxMinor: 0, totalMinor: 12_500 }],
      totalMinor: 12_500,
      payment: { receivedBy: 'Sara Front' },
    });
    expect((await secretary.request('GET', `/api/invoices/${invoice.id}`)).body).toEqual(invoice);
    await expect(t.owner.query("UPDATE invoices SET total_minor = 1 WHERE id = $1", [invoice.id])).rejects.toThrow(/append-only|not allowed|cannot/i);
    await expect(t.owner.query('DELETE FROM invoices WHERE id = $1', [invoice.id])).rejects.toThrow();
    await expect(t.owner.query('UPDATE payments SET total_minor = 1 WHERE id = $1', [paid.body.paymentId])).rejects.toThrow();
  });

  it('refuses bad amounts and settled charges, recording nothing', async () => {
    const patient = await registerPatient(secretary);
    await checkIn(secretary, patient.id);
    const [charge] = await pendingCharges(secretary, patient.id);
    const body = (parts: unknown, extra: Record<string, unknown> = {}) => ({ idempotencyKey: newKey(), patientId: patient.id, chargeIds: [charge.id], parts, ...extra });
    const cases: [unknown, number, string][] = [
      [[{ method: 'cash', amountMinor: 0 }], 400, 'validation_failed'],
      [[{ method: 'cash', amountMinor: -5 }], 400, 'validation_failed'],
      [[{ method: 'cash', amountMinor: 12.5 }], 400, 'validation_failed'],
      [[{ method: 'cash', amountMinor: 10 ** 15 }], 400, 'validation_failed'],
      [[{ method: 'cheque', amountMinor: 12_500 }], 400, 'validation_failed'],
      [[{ method: 'cash', amountMinor: 12_000 }], 422, 'amount_mismatch'],
      [[{ method: 'cash', amountMinor: 12_500, tenderedMinor: 100 }], 400, 'validation_failed'],
      [[{ method: 'card', amountMinor: 12_500 }], 400, 'validation_failed'],
      [[{ method: 'card', amountMinor: 12_500, tenderedMinor: 13_000, reference: 'R1' }], 400, 'validation_failed'],
    ];
    for (const [parts, status, code] of cases) {
      const response = await secretary.request('POST', '/api/payments', body(parts));
      expect(response.status, JSON.stringify(parts)).toBe(status);
      expect(response.body.error.code).toBe(code);
    }
    const unknown = await secretary.request('POST', '/api/payments', body([{ method: 'cash', amountMinor: 12_500 }], { chargeIds: ['00000000-0000-4000-8000-000000000000'] }));
    expect(unknown.body.error.code).toBe('not_found');
    const { rows } = await t.owner.query('SELECT count(*)::int AS n FROM payments WHERE patient_id = $1', [patient.id]);
    expect(rows[0].n).toBe(0);

    expect((await payAll(secretary, patient.id)).status).toBe(201);
    const twice = await secretary.request('POST', '/api/payments', body([{ method: 'cash', amountMinor: 12_500 }]));
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_settled');
  });

  it('replays a repeated request and refuses a reused key with another body', async () => {
    const patient = await registerPatient(secretary);
    await checkIn(secretary, patient.id);
    const key = newKey();
    const first = await payAll(secretary, patient.id, key);
    const [charge] = (await secretary.request('GET', `/api/charges?patientId=${patient.id}`)).body.items;
    const again = await secretary.request('POST', '/api/payments', { idempotencyKey: key, patientId: patient.id, chargeIds: [charge.id], parts: [{ method: 'cash', amountMinor: 12_500 }] });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await secretary.request('POST', '/api/payments', { idempotencyKey: key, patientId: patient.id, chargeIds: [charge.id], parts: [{ method: 'card', amountMinor: 12_500, reference: 'X' }] });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_mismatch');
  });

  it('refunds part and then the rest as credit notes with their own numbers, never more than was paid', async () => {
    const patient = await registerPatient(secretary);
    await checkIn(secretary, patient.id);
    const paid = await payAll(secretary, patient.id);
    const invoice = paid.body.invoice;
    const chargeId = invoice.snapshot.lines[0].chargeId;
    const refund = (amountMinor: number, key = newKey()) =>
      clinic.admin.request('POST', `/api/invoices/${invoice.id}/refunds`, { idempotencyKey: key, method: 'cash', reason: 'Overcharged', lines: [{ chargeId, amountMinor }] });
    expect((await secretary.request('POST', `/api/invoices/${invoice.id}/refunds`, { idempotencyKey: newKey(), method: 'cash', reason: 'x y z', lines: [{ chargeId, amountMinor: 1 }] })).status).toBe(403);
    const part = await refund(2_500);
    expect(part.status).toBe(201);
    expect(part.body.refundedMinor).toBe(2_500);
    expect(part.body.creditNotes[0].number).toMatch(/^CN-2031-\d{6}$/);
    const tooMuch = await refund(10_001);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('amount_mismatch');
    const rest = await refund(10_000);
    expect(rest.body.refundedMinor).toBe(12_500);
    const seqs = rest.body.creditNotes.map((n: { number: string }) => Number(n.number.slice(-6)));
    expect(seqs[1]).toBe(seqs[0] + 1);
    const [after] = (await secretary.request('GET', `/api/charges?patientId=${patient.id}`)).body.items;
    expect(after).toMatchObject({ status: 'refunded', refundedMinor: 12_500 });
    await expect(t.owner.query('DELETE FROM credit_notes WHERE invoice_id = $1', [invoice.id])).rejects.toThrow();
  });

  it('lists invoices by number, patient and date, and reports the cashier’s day with CSV', async () => {
    const patient = await registerPatient(secretary, { givenNameLatin: 'Zainab', familyNameLatin: 'Qudsi' });
    await checkIn(secretary, patient.id);
    const paid = await payAll(secretary, patient.id);
    const byNumber = await secretary.request('GET', `/api/invoices?q=${paid.body.invoice.number}`);
    expect(byNumber.body.items.map((i: { id: string }) => i.id)).toEqual([paid.body.invoice.id]);
    const byName = await secretary.request('GET', '/api/invoices?q=qudsi');
    expect(byName.body.items.map((i: { id: string }) => i.id)).toEqual([paid.body.invoice.id]);
    // Names match as patient search matches them: accents and case folded away.
    const accented = await registerPatient(secretary, { givenNameLatin: 'José', familyNameLatin: 'Fernández' });
    await checkIn(secretary, accented.id);
    const accentedPaid = await payAll(secretary, accented.id);
    const folded = await secretary.request('GET', `/api/invoices?q=${encodeURIComponent('JOSÉ Fernández')}`);
    expect(folded.body.items.map((i: { id: string }) => i.id)).toEqual([accentedPaid.body.invoice.id]);
    const byDate = await secretary.request('GET', '/api/invoices?from=2031-06-11');
    expect(byDate.body.items).toEqual([]);

    const open = await registerPatient(secretary, { givenNameLatin: 'Open', familyNameLatin: 'Charge' });
    await checkIn(secretary, open.id);
    const day = await secretary.request('GET', '/api/billing/day?date=2031-06-10');
    expect(day.status).toBe(200);
    const cash = day.body.byMethod.find((m: { method: string }) => m.method === 'cash');
    expect(cash.receivedMinor).toBeGreaterThanOrEqual(12_500);
    expect(day.body.totals.netMinor).toBe(day.body.totals.receivedMinor - day.body.totals.refundedMinor);
    expect(day.body.openCharges.map((c: { patientId: string }) => c.patientId)).toContain(open.id);
    const csv = await secretary.request('GET', '/api/billing/day.csv?date=2031-06-10');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
  });
});

const SKELETON: Record<string, string> = { ب: 'ٮ', ت: 'ٮ', ث: 'ٮ', ن: 'ٮ', ي: 'ٮ', ى: 'ٮ', ج: 'ح', خ: 'ح', ذ: 'د', ز: 'ر', ش: 'س', ض: 'ص', ظ: 'ط', غ: 'ع', ق: 'ف', ة: 'ه' };
function containsLetters(line: string, word: string): boolean {
  const counts = new Map<string, number>();
  for (const c of line) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const c of word) {
    const left = counts.get(c) ?? 0;
    if (left === 0) return false;
    counts.set(c, left - 1);
  }
  return true;
}
const skeleton = (text: string) => [...text.normalize('NFKC').replace(/\u0640/g, '')].map((c) => SKELETON[c] ?? c).join('');

describe('the invoice PDF', () => {
  it('prints the number, patient, lines and total in English and Arabic, and marks reprints COPY', async () => {
    const { secretary } = await clinicWithPrice(15_000);
    const patient = await registerPatient(secretary, { givenNameLatin: 'Lina', familyNameLatin: 'Haddad', givenNameArabic: 'لينا', familyNameArabic: 'حداد' });
    await checkIn(secretary, patient.id);
    const invoice = (await payAll(secretary, patient.id)).body.invoice;
    const text = async (lang: string) => {
      const response = await t.app.fastify.inject({ method: 'GET', url: `/api/invoices/${invoice.id}/pdf?lang=${lang}`, headers: { cookie: secretary.cookie } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'invoice-')), 'invoice.pdf');
      fs.writeFileSync(file, response.rawPayload);
      try {
        return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).normalize('NFKC');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('pdftotext is not installed: run `apt-get install -y poppler-utils` and try again.');
        throw error;
      }
    };
    const english = await text('en');
    for (const expected of [invoice.number, 'Lina Haddad', patient.mrn, 'Consultation (general)', '15.000', 'Total']) expect(english).toContain(expected);
    expect(english).not.toContain('COPY');
    const arabic = await text('ar');
    // The font draws letters that differ only by their dots from one dotless shape plus dot marks, so a
    // text extractor cannot always tell, say, medial ت from ي; and it may cut a right-to-left word at
    // its non-joining letters and put the pieces in another order. So a word counts as printed when one
    // line holds all of its letters, compared by their dotless skeleton.
    const has = (word: string) => arabic.split('\n').some((line) => containsLetters(skeleton(line), skeleton(word)));
    for (const expected of [invoice.number, patient.mrn, '15.000']) expect(arabic).toContain(expected);
    for (const word of ['فاتورة', 'لينا', 'حداد', 'استشارة', 'الإجمالي']) expect(has(word), word).toBe(true);
    expect(has('نسخة'), 'COPY in Arabic').toBe(true);
  });
});
