import { randomBytes } from 'node:crypto';
import type { Session } from './harness.ts';

/** Sets the clinic's consultation price for a consultation type (admin). */
export async function setConsultationPrice(admin: Session, priceMinor: number, consultationType = 'general', taxRateBp = 0) {
  const code = `CONS-${consultationType.toUpperCase().replace('_', '')}-${randomBytes(2).toString('hex').toUpperCase()}`;
  const response = await admin.request('POST', '/api/services', {
    code,
    nameEn: `Consultation (${consultationType})`,
    nameAr: 'استشارة',
    kind: 'consultation',
    consultationType,
    priceMinor,
    taxRateBp,
  });
  if (response.status !== 201) throw new Error(`price failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; version: number; priceMinor: number };
}

export const newKey = () => `pay-${randomBytes(8).toString('hex')}`;

/** The pending charges of a patient. */
export async function pendingCharges(session: Session, patientId: string) {
  const response = await session.request('GET', `/api/charges?patientId=${patientId}`);
  return (response.body.items as { id: string; status: string; totalMinor: number; version: number; visitId: string | null }[]).filter((c) => c.status === 'pending');
}

/** Pays all of a patient's pending charges in cash. */
export async function payAll(session: Session, patientId: string, key = newKey()) {
  const charges = await pendingCharges(session, patientId);
  const total = charges.reduce((sum, c) => sum + c.totalMinor, 0);
  return session.request('POST', '/api/payments', {
    idempotencyKey: key,
    patientId,
    chargeIds: charges.map((c) => c.id),
    parts: [{ method: 'cash', amountMinor: total }],
  });
}
