import { sql, type Kysely, type Selectable } from 'kysely';
import type { Charge, CreditNoteSummary, Invoice, InvoiceSnapshot, InvoiceSummary, PaymentMethod, Service, ServiceKind } from '../../../common/billing.ts';
import type { Database, ServicesTable } from '../../db/schema.ts';
import { foldForSearch } from '../../../common/patients.ts';
import { displayNames, escapeLike } from '../patients/patients.queries.ts';

type Db = Kysely<Database>;

/** int8 columns arrive as strings; every amount is bounded far inside the exact integer range. */
const minor = (value: string | number | null): number => Number(value ?? 0);

export function toService(r: Selectable<ServicesTable>): Service {
  return {
    id: r.id,
    code: r.code,
    nameEn: r.name_en,
    nameAr: r.name_ar,
    kind: r.kind as ServiceKind,
    consultationType: r.consultation_type,
    priceMinor: minor(r.price_minor),
    taxRateBp: r.tax_rate_bp,
    active: r.active,
    version: r.version,
  };
}

export async function listServices(db: Db): Promise<Service[]> {
  const rows = await db.selectFrom('services').selectAll().orderBy('kind').orderBy('code').execute();
  return rows.map(toService);
}

export async function findService(db: Db, id: string, lock = false) {
  let query = db.selectFrom('services').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The active price of a consultation type, if the clinic has set one. */
export async function consultationService(db: Db, consultationType: string) {
  return db
    .selectFrom('services')
    .selectAll()
    .where('kind', '=', 'consultation')
    .where('consultation_type', '=', consultationType)
    .where('active', '=', true)
    .executeTakeFirst();
}

function chargeQuery(db: Db) {
  return db
    .selectFrom('charges as c')
    .leftJoin('invoices as i', 'i.payment_id', 'c.payment_id')
    .select([
      'c.id',
      'c.patient_id',
      'c.visit_id',
      'c.kind',
      'c.code',
      'c.name_en',
      'c.name_ar',
      'c.amount_minor',
      'c.tax_minor',
      'c.refunded_minor',
      'c.status',
      'c.deferred',
      'c.note',
      'c.created_at',
      'c.version',
      'i.id as invoice_id',
      'i.number as invoice_number',
    ]);
}

type ChargeRow = Awaited<ReturnType<ReturnType<typeof chargeQuery>['executeTakeFirstOrThrow']>>;

function toCharge(r: ChargeRow): Charge {
  const amount = minor(r.amount_minor);
  const tax = minor(r.tax_minor);
  return {
    id: r.id,
    patientId: r.patient_id,
    visitId: r.visit_id,
    kind: r.kind as ServiceKind,
    code: r.code,
    nameEn: r.name_en,
    nameAr: r.name_ar,
    amountMinor: amount,
    taxMinor: tax,
    totalMinor: amount + tax,
    refundedMinor: minor(r.refunded_minor),
    status: r.status as Charge['status'],
    deferred: r.deferred,
    note: r.note,
    invoiceId: r.invoice_id,
    invoiceNumber: r.invoice_number,
    createdAt: r.created_at.toISOString(),
    version: r.version,
  };
}

export async function listCharges(db: Db, filter: { patientId?: string; visitId?: string }): Promise<Charge[]> {
  let query = chargeQuery(db);
  if (filter.patientId) query = query.where('c.patient_id', '=', filter.patientId);
  if (filter.visitId) query = query.where('c.visit_id', '=', filter.visitId);
  const rows = await query.orderBy('c.created_at', 'desc').limit(200).execute();
  return rows.map(toCharge);
}

export async function findCharge(db: Db, id: string): Promise<Charge | null> {
  const row = await chargeQuery(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toCharge(row) : null;
}

/** The patient as an invoice names them; also how a payment checks that the patient exists. */
export async function invoicePatient(db: Db, id: string) {
  return db
    .selectFrom('patients')
    .select(['id', 'mrn', 'given_name_latin', 'family_name_latin', 'given_name_arabic', 'family_name_arabic'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Locks charges in id order, so transactions locking overlapping sets never deadlock. */
export async function lockCharges(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('charges').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

/** Locks the visits the charges belong to, before the charges themselves: the order every writer uses. */
export async function lockVisitsOfCharges(db: Db, chargeIds: string[]) {
  if (chargeIds.length === 0) return [];
  return db
    .selectFrom('visits')
    .select(['id', 'status', 'patient_id'])
    .where('id', 'in', db.selectFrom('charges').select('visit_id').where('id', 'in', chargeIds).where('visit_id', 'is not', null).$narrowType<{ visit_id: string }>())
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function addChargeHistory(
  db: Db,
  row: { clinic_id: string; charge_id: string; from_status: string | null; to_status: string; by_user: string; reason: string | null },
) {
  await db.insertInto('charge_history').values(row).execute();
}

/** The next number of a gap-free series: the counter row stays locked until this transaction ends. */
export async function nextDocumentNumber(db: Db, clinicId: string, series: 'INV' | 'CN', year: number): Promise<{ seq: number; number: string }> {
  const row = await db
    .insertInto('document_counters')
    .values({ clinic_id: clinicId, series, year, last_value: 1 })
    .onConflict((oc) => oc.columns(['clinic_id', 'series', 'year']).doUpdateSet({ last_value: sql`document_counters.last_value + 1` }))
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return { seq: row.last_value, number: `${series}-${year}-${String(row.last_value).padStart(6, '0')}` };
}

export async function creditNotesOf(db: Db, invoiceIds: string[]): Promise<Map<string, CreditNoteSummary[]>> {
  const byInvoice = new Map<string, CreditNoteSummary[]>();
  if (invoiceIds.length === 0) return byInvoice;
  const notes = await db
    .selectFrom('credit_notes as n')
    .innerJoin('users as u', 'u.id', 'n.issued_by')
    .select(['n.id', 'n.invoice_id', 'n.number', 'n.total_minor', 'n.method', 'n.reason', 'n.issued_at', 'u.display_name'])
    .where('n.invoice_id', 'in', invoiceIds)
    .orderBy('n.seq')
    .execute();
  const lines = notes.length
    ? await db.selectFrom('credit_note_lines').select(['credit_note_id', 'charge_id', 'amount_minor']).where('credit_note_id', 'in', notes.map((n) => n.id)).orderBy('id').execute()
    : [];
  for (const n of notes) {
    const list = byInvoice.get(n.invoice_id) ?? [];
    list.push({
      id: n.id,
      number: n.number,
      totalMinor: minor(n.total_minor),
      method: n.method as PaymentMethod,
      reason: n.reason,
      issuedAt: n.issued_at.toISOString(),
      issuedBy: n.display_name,
      lines: lines.filter((l) => l.credit_note_id === n.id).map((l) => ({ chargeId: l.charge_id, amountMinor: minor(l.amount_minor) })),
    });
    byInvoice.set(n.invoice_id, list);
  }
  return byInvoice;
}

function invoiceQuery(db: Db) {
  return db
    .selectFrom('invoices as i')
    .innerJoin('users as u', 'u.id', 'i.issued_by')
    .select(['i.id', 'i.number', 'i.payment_id', 'i.patient_id', 'i.issued_at', 'i.currency', 'i.total_minor', 'i.snapshot', 'u.display_name as issued_by_name']);
}

export async function findInvoice(db: Db, where: { id?: string; paymentId?: string }): Promise<Invoice | null> {
  let query = invoiceQuery(db);
  if (where.id) query = query.where('i.id', '=', where.id);
  if (where.paymentId) query = query.where('i.payment_id', '=', where.paymentId);
  const row = await query.executeTakeFirst();
  if (!row) return null;
  const notes = (await creditNotesOf(db, [row.id])).get(row.id) ?? [];
  return {
    id: row.id,
    number: row.number,
    paymentId: row.payment_id,
    patientId: row.patient_id,
    issuedAt: row.issued_at.toISOString(),
    issuedBy: row.issued_by_name,
    currency: row.currency,
    totalMinor: minor(row.total_minor),
    refundedMinor: notes.reduce((sum, n) => sum + n.totalMinor, 0),
    snapshot: row.snapshot as InvoiceSnapshot,
    creditNotes: notes,
  };
}

/** Invoices, newest first, by number, patient (name or record number) and issue dates. */
export async function searchInvoices(db: Db, filter: { text?: string; from?: Date; to?: Date; patientId?: string }): Promise<InvoiceSummary[]> {
  let query = db
    .selectFrom('invoices as i')
    .innerJoin('patients as p', 'p.id', 'i.patient_id')
    .select(['i.id', 'i.number', 'i.patient_id', 'i.issued_at', 'i.total_minor', 'p.mrn', 'p.given_name_latin', 'p.family_name_latin', 'p.given_name_arabic', 'p.family_name_arabic'])
    .select((eb) =>
      eb
        .selectFrom('credit_notes as n')
        .whereRef('n.invoice_id', '=', 'i.id')
        .select(sql<string>`coalesce(sum(n.total_minor), 0)`.as('refunded'))
        .as('refunded_minor'),
    );
  if (filter.patientId) query = query.where('i.patient_id', '=', filter.patientId);
  if (filter.from) query = query.where('i.issued_at', '>=', filter.from);
  if (filter.to) query = query.where('i.issued_at', '<', filter.to);
  if (filter.text) {
    const text = filter.text.trim();
    // Names are matched the way patient search matches them: folded (case, accents, Arabic variants).
    const name = '%' + escapeLike(foldForSearch(text)) + '%';
    query = query.where((eb) =>
      eb.or([eb('i.number', 'ilike', '%' + escapeLike(text) + '%'), eb('p.mrn', '=', text.replace(/^MRN-?/i, '')), eb('p.search_name', 'like', name)]),
    );
  }
  const rows = await query.orderBy('i.issued_at', 'desc').limit(100).execute();
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    patientId: r.patient_id,
    patientMrn: r.mrn,
    patientName: displayNames(r).displayName,
    issuedAt: r.issued_at.toISOString(),
    totalMinor: minor(r.total_minor),
    refundedMinor: minor(r.refunded_minor ?? 0),
  }));
}

export { minor };
