import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  taxOf,
  type Charge,
  type Invoice,
  type InvoiceQuery,
  type InvoiceSnapshot,
  type PaymentBody,
  type PaymentPart,
  type PaymentResult,
  type RefundBody,
  type Service,
  type ServiceBody,
  type ServiceKind,
  type ServiceUpdateBody,
} from '../../../common/billing.ts';
import { AppError } from '../../../common/errors.ts';
import { addDays, localDate, zonedInstant, type Clock } from '../../clock.ts';
import { inClinic, violates, writeTx, type Actor, type Tx, type TxDeps } from '../../events/transaction.ts';
import { displayNames } from '../patients/patients.queries.ts';
import * as q from './billing.queries.ts';
import { renderInvoicePdf, type PdfLanguage } from './invoice.pdf.ts';

export interface BillingDeps extends TxDeps {
  clock: Clock;
}

// ---------------------------------------------------------------------------------------------------
// The price list

export async function listServices(deps: BillingDeps, actor: Actor): Promise<Service[]> {
  return inClinic(deps.db, actor.clinicId, (conn) => q.listServices(conn));
}

function serviceRules(kind: ServiceKind, consultationType: string | null | undefined, active: boolean) {
  if (kind === 'consultation' && !consultationType) {
    throw new AppError('validation_failed', 'Choose the consultation type this price is for.', { fields: [{ field: 'consultationType' }] });
  }
  if (kind !== 'consultation' && consultationType) {
    throw new AppError('validation_failed', 'Only consultations have a consultation type.', { fields: [{ field: 'consultationType' }] });
  }
  return { consultation_type: kind === 'consultation' ? consultationType! : null, active };
}

function priceConflict(error: unknown): never {
  if (violates(error, 'services_clinic_id_code_key')) throw new AppError('conflict', 'Another service already has this code.', { fields: [{ field: 'code' }] });
  if (violates(error, 'services_one_active_consultation_price')) {
    throw new AppError('conflict', 'This consultation type already has an active price. Deactivate that one first.', { fields: [{ field: 'consultationType' }] });
  }
  throw error;
}

/** Adds a service to the price list. Codes are unique; a consultation type has one active price. */
export async function createService(deps: BillingDeps, actor: Actor, body: ServiceBody): Promise<Service> {
  const id = randomUUID();
  return writeTx(deps, actor, 'service.create', async (tx) => {
    tx.audit({ entityType: 'service', entityId: id, details: { code: body.code, priceMinor: body.priceMinor } });
    try {
      await tx.db
        .insertInto('services')
        .values({
          id,
          clinic_id: actor.clinicId,
          code: body.code,
          name_en: body.nameEn.trim(),
          name_ar: body.nameAr.trim(),
          kind: body.kind,
          price_minor: body.priceMinor,
          tax_rate_bp: body.taxRateBp ?? 0,
          ...serviceRules(body.kind, body.consultationType, body.active ?? true),
        })
        .execute();
    } catch (error) {
      priceConflict(error);
    }
    return q.toService((await q.findService(tx.db, id))!);
  });
}

/** Changes a price or name. Charges already made keep the price they were made with. */
export async function updateService(deps: BillingDeps, actor: Actor, id: string, body: ServiceUpdateBody): Promise<Service> {
  return writeTx(deps, actor, 'service.update', async (tx) => {
    const current = await q.findService(tx.db, id, true);
    if (!current) throw new AppError('not_found', 'No such service.');
    tx.audit({ entityType: 'service', entityId: id, details: { from: q.minor(current.price_minor), to: body.priceMinor, active: body.active } });
    if (current.version !== body.version) throw new AppError('stale_version', 'This price was changed by someone else. Reload and try again.');
    try {
      await tx.db
        .updateTable('services')
        .set({
          name_en: body.nameEn.trim(),
          name_ar: body.nameAr.trim(),
          price_minor: body.priceMinor,
          tax_rate_bp: body.taxRateBp,
          active: body.active,
          version: current.version + 1,
          updated_at: deps.clock.now(),
        })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      priceConflict(error);
    }
    return q.toService((await q.findService(tx.db, id))!);
  });
}

// ---------------------------------------------------------------------------------------------------
// Charges and the gate

/** The consultation price a check-in would charge: the doctor's consultation type, else "general". */
export async function consultationPrice(tx: Tx, doctorId: string | null) {
  let type = 'general';
  if (doctorId) {
    const profile = await tx.db.selectFrom('doctor_profiles').select('consultation_type').where('user_id', '=', doctorId).executeTakeFirst();
    if (profile) type = profile.consultation_type;
  }
  const service = await q.consultationService(tx.db, type);
  if (!service) return null;
  const amount = q.minor(service.price_minor);
  const tax = taxOf(amount, service.tax_rate_bp);
  // Free consultations have nothing to pay and no gate.
  return amount + tax > 0 ? { service, amount, tax } : null;
}

/**
 * Records a pending charge for a visit, copying the service's name and price. Used at check-in (the
 * consultation) and by later services (lab tests, procedures) through the same door.
 */
export async function addCharge(
  tx: Tx,
  clock: Clock,
  price: NonNullable<Awaited<ReturnType<typeof consultationPrice>>>,
  target: { patientId: string; visitId: string | null },
): Promise<string> {
  const id = randomUUID();
  const { service } = price;
  await tx.db
    .insertInto('charges')
    .values({
      id,
      clinic_id: tx.actor.clinicId,
      patient_id: target.patientId,
      visit_id: target.visitId,
      service_id: service.id,
      kind: service.kind,
      code: service.code,
      name_en: service.name_en,
      name_ar: service.name_ar,
      amount_minor: price.amount,
      tax_rate_bp: service.tax_rate_bp,
      tax_minor: price.tax,
      status: 'pending',
      created_by: tx.actor.userId,
      created_at: clock.now(),
      status_changed_at: clock.now(),
    })
    .execute();
  await q.addChargeHistory(tx.db, { clinic_id: tx.actor.clinicId, charge_id: id, from_status: null, to_status: 'pending', by_user: tx.actor.userId, reason: null });
  tx.audit({ action: 'charge.create', entityType: 'charge', entityId: id, patientId: target.patientId, details: { code: service.code, amountMinor: price.amount, taxMinor: price.tax } });
  tx.emit('billing.changed', target.patientId);
  return id;
}

/**
 * The payment gate: may this visit's service of this kind start now? True when its charge is paid,
 * waived or deferred, or when there is no charge. The database asks the same question (billing_cleared)
 * inside the visit's own update, so no race can start an unpaid service.
 */
export async function mayStart(tx: Tx, visitId: string, kind: ServiceKind): Promise<boolean> {
  const { rows } = await sql<{ cleared: boolean }>`SELECT billing_cleared(${visitId}, ${kind}) AS cleared`.execute(tx.db);
  return rows[0].cleared;
}

export const paymentRequired = () =>
  new AppError('payment_required', 'This visit is awaiting payment: the consultation fee must be paid (or waived) before the patient is called in.');

/** True when a database error is the payment gate's refusal. */
export function isPaymentGateRefusal(error: unknown): boolean {
  return (error as { code?: string }).code === 'DS402';
}

/** Moves the given visits from awaiting payment to the queue when nothing they owe blocks them any more. */
async function releasePaidVisits(tx: Tx, clock: Clock, visits: { id: string; status: string }[], reason: string) {
  for (const visit of visits) {
    if (visit.status !== 'awaiting_payment' || !(await mayStart(tx, visit.id, 'consultation'))) continue;
    await tx.db.updateTable('visits').set({ status: 'waiting', status_changed_at: clock.now(), version: sql`version + 1` }).where('id', '=', visit.id).execute();
    await tx.db
      .insertInto('visit_history')
      .values({ clinic_id: tx.actor.clinicId, visit_id: visit.id, from_status: 'awaiting_payment', to_status: 'waiting', by_user: tx.actor.userId, reason })
      .execute();
    tx.emit('visit.changed', visit.id);
  }
}

/** A cancelled visit owes nothing: its pending charges are cancelled with it. */
export async function cancelChargesOfVisit(tx: Tx, clock: Clock, visitId: string, reason: string) {
  const pending = await tx.db.selectFrom('charges').select(['id', 'patient_id']).where('visit_id', '=', visitId).where('status', '=', 'pending').orderBy('id').forUpdate().execute();
  for (const charge of pending) {
    await tx.db
      .updateTable('charges')
      .set({ status: 'cancelled', note: reason, status_changed_at: clock.now(), version: sql`version + 1` })
      .where('id', '=', charge.id)
      .execute();
    await q.addChargeHistory(tx.db, { clinic_id: tx.actor.clinicId, charge_id: charge.id, from_status: 'pending', to_status: 'cancelled', by_user: tx.actor.userId, reason });
    tx.emit('billing.changed', charge.patient_id);
  }
}

export async function listCharges(deps: BillingDeps, actor: Actor, filter: { patientId?: string; visitId?: string }) {
  return writeTx(deps, actor, 'charge.list', async (tx) => {
    tx.audit({ entityType: 'charge', patientId: filter.patientId ?? null });
    const clinic = await tx.db.selectFrom('clinics').select('currency').executeTakeFirstOrThrow();
    return { currency: clinic.currency, items: await q.listCharges(tx.db, filter) };
  });
}

type Settlement = 'waive' | 'defer' | 'cancel';

/**
 * Waives, defers or cancels a pending charge, with the written reason kept on the charge and in its
 * history. Waiving or deferring a visit's consultation lets the patient join the queue at once.
 */
export async function settleCharge(deps: BillingDeps, actor: Actor, id: string, how: Settlement, body: { reason: string; version: number }): Promise<Charge> {
  const reason = body.reason.trim();
  return writeTx(deps, actor, `charge.${how}`, async (tx) => {
    const visits = await q.lockVisitsOfCharges(tx.db, [id]);
    const [charge] = await q.lockCharges(tx.db, [id]);
    if (!charge) throw new AppError('not_found', 'No such charge.');
    tx.audit({ entityType: 'charge', entityId: id, patientId: charge.patient_id, details: { reason } });
    if (reason.length < 3) throw new AppError('validation_failed', 'Write the reason.', { fields: [{ field: 'reason' }] });
    if (charge.version !== body.version) throw new AppError('stale_version', 'This charge was changed by someone else. Reload and try again.');
    if (charge.status !== 'pending') throw new AppError('already_settled', `This charge is already ${charge.status}.`, { status: charge.status });
    if (how === 'defer' && charge.deferred) throw new AppError('already_settled', 'This charge is already deferred.');
    const to = how === 'waive' ? 'waived' : how === 'cancel' ? 'cancelled' : 'pending';
    await tx.db
      .updateTable('charges')
      .set({ status: to, deferred: how === 'defer', note: reason, status_changed_at: deps.clock.now(), version: charge.version + 1 })
      .where('id', '=', id)
      .execute();
    await q.addChargeHistory(tx.db, { clinic_id: actor.clinicId, charge_id: id, from_status: 'pending', to_status: how === 'defer' ? 'deferred' : to, by_user: actor.userId, reason });
    if (how !== 'cancel') await releasePaidVisits(tx, deps.clock, visits, how === 'waive' ? 'fee waived' : 'fee deferred');
    tx.emit('billing.changed', charge.patient_id);
    return (await q.findCharge(tx.db, id))!;
  });
}

// ---------------------------------------------------------------------------------------------------
// Payments and invoices

/** The same body gives the same hash whatever the order of its charge ids or keys. */
function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

function checkParts(parts: PaymentBody['parts']) {
  parts.forEach((part, i) => {
    if (part.tenderedMinor !== undefined && part.method !== 'cash') {
      throw new AppError('validation_failed', 'Only cash has an amount handed over.', { fields: [{ field: `parts.${i}.tenderedMinor` }] });
    }
    if (part.method === 'cash' && part.tenderedMinor !== undefined && part.tenderedMinor < part.amountMinor) {
      throw new AppError('validation_failed', 'The cash handed over is less than the amount paid in cash.', { fields: [{ field: `parts.${i}.tenderedMinor` }] });
    }
    if (part.method === 'card' && !part.reference?.trim()) {
      throw new AppError('validation_failed', 'Enter the card terminal’s reference.', { fields: [{ field: `parts.${i}.reference` }] });
    }
  });
  if (parts.filter((p) => p.method === 'cash').length > 1) {
    throw new AppError('validation_failed', 'Put all the cash in one part.', { fields: [{ field: 'parts' }] });
  }
}

function partOf(part: PaymentBody['parts'][number]): PaymentPart {
  const tendered = part.method === 'cash' ? (part.tenderedMinor ?? part.amountMinor) : null;
  return {
    method: part.method,
    amountMinor: part.amountMinor,
    tenderedMinor: tendered,
    changeMinor: tendered === null ? null : tendered - part.amountMinor,
    reference: part.reference?.trim() || null,
  };
}

async function paymentResult(tx: Tx, paymentId: string): Promise<PaymentResult> {
  const invoice = (await q.findInvoice(tx.db, { paymentId }))!;
  const change = invoice.snapshot.payment.parts.reduce((sum, p) => sum + (p.changeMinor ?? 0), 0);
  return { paymentId, totalMinor: invoice.totalMinor, changeMinor: change, invoice };
}

/**
 * Takes a payment for pending charges of one patient, split over one or more methods, and issues its
 * invoice with the clinic's next gap-free number. The idempotency key makes a repeated request (double
 * click, retry) return the first result instead of taking the money twice; the same key with another
 * body is refused. Paid consultations release their visits into the queue.
 */
export async function pay(deps: BillingDeps, actor: Actor, body: PaymentBody): Promise<PaymentResult> {
  const { idempotencyKey, ...request } = body;
  const hash = requestHash({ ...request, chargeIds: [...request.chargeIds].sort() });
  const paymentId = randomUUID();
  const total = body.parts.reduce((sum, p) => sum + p.amountMinor, 0);
  return writeTx(deps, actor, 'payment.create', async (tx) => {
    tx.audit({ entityType: 'payment', entityId: paymentId, patientId: body.patientId, details: { totalMinor: total, charges: body.chargeIds.length } });
    const patient = await q.invoicePatient(tx.db, body.patientId);
    if (!patient) throw new AppError('not_found', 'No such patient.');
    // Concurrent requests with one key wait here for the first to finish, then find its payment.
    const inserted = await tx.db
      .insertInto('payments')
      .values({ id: paymentId, clinic_id: actor.clinicId, patient_id: body.patientId, idempotency_key: idempotencyKey, request_hash: hash, total_minor: total, received_by: actor.userId, received_at: deps.clock.now() })
      .onConflict((oc) => oc.columns(['clinic_id', 'idempotency_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      const first = await tx.db.selectFrom('payments').select(['id', 'request_hash']).where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
      if (first.request_hash !== hash) {
        throw new AppError('idempotency_mismatch', 'This payment key was already used for a different payment. Start the payment again.');
      }
      tx.audit({ action: 'payment.replay', entityType: 'payment', entityId: first.id, patientId: body.patientId });
      return paymentResult(tx, first.id);
    }
    checkParts(body.parts);
    const visits = await q.lockVisitsOfCharges(tx.db, body.chargeIds);
    const charges = await q.lockCharges(tx.db, body.chargeIds);
    if (charges.length !== body.chargeIds.length) throw new AppError('not_found', 'One of these charges does not exist.');
    if (charges.some((c) => c.patient_id !== body.patientId)) throw new AppError('unprocessable', 'All charges of one payment must be the same patient’s.');
    const settled = charges.filter((c) => c.status !== 'pending');
    if (settled.length > 0) {
      throw new AppError('already_settled', `${settled.map((c) => c.name_en).join(', ')} ${settled.length === 1 ? 'is' : 'are'} already ${settled[0].status}.`, {
        chargeIds: settled.map((c) => c.id),
      });
    }
    const owed = charges.reduce((sum, c) => sum + q.minor(c.amount_minor) + q.minor(c.tax_minor), 0);
    if (owed !== total) {
      throw new AppError('amount_mismatch', 'The amounts paid must add up exactly to the charges being paid.', { owedMinor: owed, paidMinor: total });
    }
    for (const charge of charges) {
      await tx.db
        .updateTable('charges')
        .set({ status: 'paid', payment_id: paymentId, deferred: false, status_changed_at: deps.clock.now(), version: charge.version + 1 })
        .where('id', '=', charge.id)
        .execute();
      await q.addChargeHistory(tx.db, { clinic_id: actor.clinicId, charge_id: charge.id, from_status: 'pending', to_status: 'paid', by_user: actor.userId, reason: null });
    }
    const parts = body.parts.map(partOf);
    await tx.db
      .insertInto('payment_parts')
      .values(parts.map((p) => ({ clinic_id: actor.clinicId, payment_id: paymentId, method: p.method, amount_minor: p.amountMinor, tendered_minor: p.tenderedMinor, reference: p.reference })))
      .execute();
    await issueInvoice(tx, deps.clock, paymentId, patient, charges, parts);
    await releasePaidVisits(tx, deps.clock, visits, 'paid');
    tx.emit('billing.changed', body.patientId);
    return paymentResult(tx, paymentId);
  });
}

async function clinicFacts(tx: Tx) {
  return tx.db.selectFrom('clinics').select(['name', 'currency', 'time_zone']).executeTakeFirstOrThrow();
}

async function issueInvoice(
  tx: Tx,
  clock: Clock,
  paymentId: string,
  patient: NonNullable<Awaited<ReturnType<typeof q.invoicePatient>>>,
  charges: Awaited<ReturnType<typeof q.lockCharges>>,
  parts: PaymentPart[],
): Promise<string> {
  const patientId = patient.id;
  const clinic = await clinicFacts(tx);
  const names = displayNames(patient);
  const lines = charges.map((c) => {
    const amount = q.minor(c.amount_minor);
    const tax = q.minor(c.tax_minor);
    return { chargeId: c.id, code: c.code, nameEn: c.name_en, nameAr: c.name_ar, amountMinor: amount, taxRateBp: c.tax_rate_bp, taxMinor: tax, totalMinor: amount + tax };
  });
  const subtotal = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  const tax = lines.reduce((sum, l) => sum + l.taxMinor, 0);
  const snapshot: InvoiceSnapshot = {
    clinic: { name: clinic.name, currency: clinic.currency, timeZone: clinic.time_zone },
    patient: {
      id: patient.id,
      mrn: patient.mrn,
      nameLatin: [patient.given_name_latin, patient.family_name_latin].filter(Boolean).join(' ') || null,
      nameArabic: names.displayNameArabic,
    },
    lines,
    subtotalMinor: subtotal,
    taxMinor: tax,
    totalMinor: subtotal + tax,
    payment: { parts, receivedBy: tx.actor.displayName },
  };
  const year = Number(localDate(clock.now(), clinic.time_zone).slice(0, 4));
  const { seq, number } = await q.nextDocumentNumber(tx.db, tx.actor.clinicId, 'INV', year);
  const id = randomUUID();
  await tx.db
    .insertInto('invoices')
    .values({
      id,
      clinic_id: tx.actor.clinicId,
      year,
      seq,
      number,
      payment_id: paymentId,
      patient_id: patientId,
      currency: clinic.currency,
      subtotal_minor: subtotal,
      tax_minor: tax,
      total_minor: subtotal + tax,
      snapshot: JSON.stringify(snapshot),
      issued_at: clock.now(),
      issued_by: tx.actor.userId,
    })
    .execute();
  tx.audit({ action: 'invoice.issue', entityType: 'invoice', entityId: id, patientId, details: { number, totalMinor: subtotal + tax } });
  return id;
}

export async function getInvoice(deps: BillingDeps, actor: Actor, id: string): Promise<Invoice> {
  return writeTx(deps, actor, 'invoice.read', async (tx) => {
    const invoice = await q.findInvoice(tx.db, { id });
    tx.audit({ entityType: 'invoice', entityId: id, patientId: invoice?.patientId ?? null });
    if (!invoice) throw new AppError('not_found', 'No such invoice.');
    return invoice;
  });
}

export async function listInvoices(deps: BillingDeps, actor: Actor, query: InvoiceQuery) {
  return writeTx(deps, actor, 'invoice.list', async (tx) => {
    tx.audit({ entityType: 'invoice', patientId: query.patientId ?? null, details: { length: query.q?.length ?? 0 } });
    const clinic = await clinicFacts(tx);
    const from = query.from ? zonedInstant(query.from, '00:00', clinic.time_zone) : undefined;
    const to = query.to ? zonedInstant(addDays(query.to, 1), '00:00', clinic.time_zone) : undefined;
    return { currency: clinic.currency, items: await q.searchInvoices(tx.db, { text: query.q?.trim() || undefined, from, to, patientId: query.patientId }) };
  });
}

/**
 * Refunds all or part of what an invoice's charges were paid, as a credit note with its own gap-free
 * number pointing to the invoice. Nothing is edited: the charge records how much of it was refunded and
 * becomes `refunded` once all of it is. The idempotency key works as for payments.
 */
export async function refund(deps: BillingDeps, actor: Actor, invoiceId: string, body: RefundBody): Promise<Invoice> {
  const { idempotencyKey, ...request } = body;
  const hash = requestHash({ invoiceId, ...request });
  const reason = body.reason.trim();
  return writeTx(deps, actor, 'refund.create', async (tx) => {
    const invoice = await q.findInvoice(tx.db, { id: invoiceId });
    tx.audit({ entityType: 'invoice', entityId: invoiceId, patientId: invoice?.patientId ?? null, details: { lines: body.lines.length, reason } });
    if (!invoice) throw new AppError('not_found', 'No such invoice.');
    const chargeIds = [...new Set(body.lines.map((l) => l.chargeId))];
    if (chargeIds.length !== body.lines.length) throw new AppError('validation_failed', 'Each charge may appear once in a refund.', { fields: [{ field: 'lines' }] });
    // Refunds of the same charges are serialised by these locks; the key is checked once they are held.
    await q.lockVisitsOfCharges(tx.db, chargeIds);
    const charges = await q.lockCharges(tx.db, chargeIds);
    const first = await tx.db.selectFrom('credit_notes').select(['id', 'request_hash', 'invoice_id']).where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
    if (first) {
      if (first.request_hash !== hash) throw new AppError('idempotency_mismatch', 'This refund key was already used for a different refund. Start the refund again.');
      return (await q.findInvoice(tx.db, { id: first.invoice_id }))!;
    }
    if (reason.length < 3) throw new AppError('validation_failed', 'Write the reason for the refund.', { fields: [{ field: 'reason' }] });
    const onInvoice = new Set(invoice.snapshot.lines.map((l) => l.chargeId));
    if (charges.length !== chargeIds.length || charges.some((c) => !onInvoice.has(c.id))) {
      throw new AppError('unprocessable', 'Only charges on this invoice can be refunded against it.');
    }
    for (const line of body.lines) {
      const charge = charges.find((c) => c.id === line.chargeId)!;
      const left = q.minor(charge.amount_minor) + q.minor(charge.tax_minor) - q.minor(charge.refunded_minor);
      if (line.amountMinor > left) {
        throw new AppError('amount_mismatch', `At most ${left} can still be refunded for ${charge.name_en}.`, { chargeId: charge.id, refundableMinor: left });
      }
    }
    const clinic = await clinicFacts(tx);
    const year = Number(localDate(deps.clock.now(), clinic.time_zone).slice(0, 4));
    const { seq, number } = await q.nextDocumentNumber(tx.db, actor.clinicId, 'CN', year);
    const id = randomUUID();
    const total = body.lines.reduce((sum, l) => sum + l.amountMinor, 0);
    const snapshot = {
      clinic: invoice.snapshot.clinic,
      patient: invoice.snapshot.patient,
      invoiceNumber: invoice.number,
      lines: body.lines.map((l) => {
        const c = charges.find((x) => x.id === l.chargeId)!;
        return { chargeId: c.id, code: c.code, nameEn: c.name_en, nameAr: c.name_ar, amountMinor: l.amountMinor };
      }),
      totalMinor: total,
      method: body.method,
      reason,
      issuedBy: actor.displayName,
    };
    await tx.db
      .insertInto('credit_notes')
      .values({ id, clinic_id: actor.clinicId, year, seq, number, invoice_id: invoiceId, patient_id: invoice.patientId, idempotency_key: idempotencyKey, request_hash: hash, method: body.method, total_minor: total, reason, snapshot: JSON.stringify(snapshot), issued_at: deps.clock.now(), issued_by: actor.userId })
      .execute();
    await tx.db.insertInto('credit_note_lines').values(body.lines.map((l) => ({ clinic_id: actor.clinicId, credit_note_id: id, charge_id: l.chargeId, amount_minor: l.amountMinor }))).execute();
    for (const line of body.lines) {
      const charge = charges.find((c) => c.id === line.chargeId)!;
      const refunded = q.minor(charge.refunded_minor) + line.amountMinor;
      const whole = refunded === q.minor(charge.amount_minor) + q.minor(charge.tax_minor);
      await tx.db
        .updateTable('charges')
        .set({ refunded_minor: refunded, status: whole ? 'refunded' : charge.status, status_changed_at: deps.clock.now(), version: charge.version + 1 })
        .where('id', '=', charge.id)
        .execute();
      await q.addChargeHistory(tx.db, { clinic_id: actor.clinicId, charge_id: charge.id, from_status: charge.status, to_status: whole ? 'refunded' : charge.status, by_user: actor.userId, reason: `${number}: ${reason}` });
    }
    tx.audit({ action: 'credit_note.issue', entityType: 'credit_note', entityId: id, patientId: invoice.patientId, details: { number, totalMinor: total } });
    tx.emit('billing.changed', invoice.patientId);
    return (await q.findInvoice(tx.db, { id: invoiceId }))!;
  });
}

/**
 * The invoice as a PDF in the asked language. Every print is recorded; any print after the first is
 * marked COPY, so a re-issued invoice can never pass for a second original.
 */
export async function invoicePdf(deps: BillingDeps, actor: Actor, id: string, language: PdfLanguage): Promise<{ number: string; pdf: Buffer }> {
  const { invoice, copy } = await writeTx(deps, actor, 'invoice.print', async (tx) => {
    const found = await q.findInvoice(tx.db, { id });
    tx.audit({ entityType: 'invoice', entityId: id, patientId: found?.patientId ?? null, details: { language } });
    if (!found) throw new AppError('not_found', 'No such invoice.');
    // Prints of one invoice are serialised, so exactly one of them is the original.
    await sql`SELECT pg_advisory_xact_lock(7302, hashtext(${id}))`.execute(tx.db);
    const earlier = await tx.db.selectFrom('document_prints').select(sql<number>`count(*)::int`.as('n')).where('document_id', '=', id).executeTakeFirstOrThrow();
    await tx.db.insertInto('document_prints').values({ clinic_id: actor.clinicId, document_id: id, language, printed_by: actor.userId, printed_at: deps.clock.now() }).execute();
    return { invoice: found, copy: earlier.n > 0 };
  });
  return { number: invoice.number, pdf: await renderInvoicePdf(invoice, language, copy) };
}
