import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Text, Uuid } from './schema.ts';

/**
 * Money is an integer count of the currency's minor units (fils, cents) everywhere: in the database
 * (bigint), on the wire and in code. The largest amount accepted keeps every sum far inside the range
 * where JavaScript integers are exact.
 */
export const MAX_MINOR = 1_000_000_000_000;
export const Minor = Type.Integer({ minimum: 0, maximum: MAX_MINOR });
export const PositiveMinor = Type.Integer({ minimum: 1, maximum: MAX_MINOR });

/** Tax rate in basis points: 1600 is 16 %. */
export const TaxRate = Type.Integer({ minimum: 0, maximum: 10_000 });

/** Tax on a net amount, rounded half up to the minor unit, in integers only. */
export function taxOf(amountMinor: number, taxRateBp: number): number {
  return Number((BigInt(amountMinor) * BigInt(taxRateBp) + 5_000n) / 10_000n);
}

/** How many decimal places the currency's minor unit has (JOD 3, USD 2, JPY 0). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "12.500" for 12500 fils: the amount as a plain decimal string, without floating point. */
export function formatMinor(amountMinor: number, currency: string, grouping = true): string {
  const digits = minorDigits(currency);
  const negative = amountMinor < 0;
  const text = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : '.' + text.slice(-digits);
  return `${negative ? '-' : ''}${grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole}${fraction}`;
}

/** Reads "12.5" or "12.500" as minor units; null when it is not a plain non-negative amount. */
export function parseMinor(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^\s*(\d{1,13})(?:[.,](\d*))?\s*$/.exec(text.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660)));
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const value = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(value) && value <= MAX_MINOR ? value : null;
}

export const SERVICE_KINDS = ['consultation', 'lab_test', 'procedure'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const ServiceCode = Type.String({ pattern: '^[A-Z0-9][A-Z0-9._-]{0,19}$', maxLength: 20 });

export const Service = Type.Object(
  {
    id: Uuid,
    code: Text(20),
    nameEn: Text(120),
    nameAr: Text(120),
    kind: Type.Enum(SERVICE_KINDS),
    consultationType: Type.Union([Text(20), Type.Null()]),
    priceMinor: Minor,
    taxRateBp: TaxRate,
    active: Type.Boolean(),
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type Service = Static<typeof Service>;

export const ServiceBody = Type.Object(
  {
    code: ServiceCode,
    nameEn: Text(120, 1),
    nameAr: Text(120, 1),
    kind: Type.Enum(SERVICE_KINDS),
    consultationType: Type.Optional(Type.Union([Type.Enum(['general', 'specialist', 'follow_up']), Type.Null()])),
    priceMinor: Minor,
    taxRateBp: Type.Optional(TaxRate),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ServiceBody = Static<typeof ServiceBody>;

export const ServiceUpdateBody = Type.Object(
  {
    nameEn: Text(120, 1),
    nameAr: Text(120, 1),
    priceMinor: Minor,
    taxRateBp: TaxRate,
    active: Type.Boolean(),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type ServiceUpdateBody = Static<typeof ServiceUpdateBody>;

export const CHARGE_STATUSES = ['pending', 'paid', 'waived', 'cancelled', 'refunded'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const Charge = Type.Object(
  {
    id: Uuid,
    patientId: Uuid,
    visitId: Type.Union([Uuid, Type.Null()]),
    kind: Type.Enum(SERVICE_KINDS),
    code: Text(20),
    nameEn: Text(120),
    nameAr: Text(120),
    amountMinor: Minor,
    taxMinor: Minor,
    totalMinor: Minor,
    refundedMinor: Minor,
    status: Type.Enum(CHARGE_STATUSES),
    deferred: Type.Boolean(),
    note: Type.Union([Text(500), Type.Null()]),
    invoiceId: Type.Union([Uuid, Type.Null()]),
    invoiceNumber: Type.Union([Text(30), Type.Null()]),
    createdAt: IsoDateTime,
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type Charge = Static<typeof Charge>;

export const ChargeList = Type.Object({ currency: Text(3), items: Type.Array(Charge) }, { additionalProperties: false });

export const ChargeReasonBody = Type.Object(
  { reason: Text(500, 3), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const PAYMENT_METHODS = ['cash', 'card', 'transfer'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const PaymentPartBody = Type.Object(
  {
    method: Type.Enum(PAYMENT_METHODS),
    amountMinor: PositiveMinor,
    /** Cash only: what the patient handed over; the change is computed. */
    tenderedMinor: Type.Optional(PositiveMinor),
    /** Card terminal reference or bank transfer reference. */
    reference: Type.Optional(Text(60)),
  },
  { additionalProperties: false },
);

export const IdempotencyKey = Type.String({ minLength: 8, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' });

export const PaymentBody = Type.Object(
  {
    idempotencyKey: IdempotencyKey,
    patientId: Uuid,
    chargeIds: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true }),
    parts: Type.Array(PaymentPartBody, { minItems: 1, maxItems: 5 }),
  },
  { additionalProperties: false },
);
export type PaymentBody = Static<typeof PaymentBody>;

export const InvoiceLine = Type.Object(
  {
    chargeId: Uuid,
    code: Text(20),
    nameEn: Text(120),
    nameAr: Text(120),
    amountMinor: Minor,
    taxRateBp: TaxRate,
    taxMinor: Minor,
    totalMinor: Minor,
  },
  { additionalProperties: false },
);
export type InvoiceLine = Static<typeof InvoiceLine>;

export const PaymentPart = Type.Object(
  {
    method: Type.Enum(PAYMENT_METHODS),
    amountMinor: PositiveMinor,
    tenderedMinor: Type.Union([PositiveMinor, Type.Null()]),
    changeMinor: Type.Union([Minor, Type.Null()]),
    reference: Type.Union([Text(60), Type.Null()]),
  },
  { additionalProperties: false },
);
export type PaymentPart = Static<typeof PaymentPart>;

/** What an invoice says, frozen when it is issued. */
export const InvoiceSnapshot = Type.Object(
  {
    clinic: Type.Object({ name: Text(200), currency: Text(3), timeZone: Text(60) }, { additionalProperties: false }),
    patient: Type.Object(
      { id: Uuid, mrn: Text(20), nameLatin: Type.Union([Text(200), Type.Null()]), nameArabic: Type.Union([Text(200), Type.Null()]) },
      { additionalProperties: false },
    ),
    lines: Type.Array(InvoiceLine),
    subtotalMinor: Minor,
    taxMinor: Minor,
    totalMinor: Minor,
    payment: Type.Object({ parts: Type.Array(PaymentPart), receivedBy: Text(120) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type InvoiceSnapshot = Static<typeof InvoiceSnapshot>;

export const CreditNoteSummary = Type.Object(
  {
    id: Uuid,
    number: Text(30),
    totalMinor: PositiveMinor,
    method: Type.Enum(PAYMENT_METHODS),
    reason: Text(500),
    issuedAt: IsoDateTime,
    issuedBy: Text(120),
    lines: Type.Array(Type.Object({ chargeId: Uuid, amountMinor: PositiveMinor }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type CreditNoteSummary = Static<typeof CreditNoteSummary>;

export const Invoice = Type.Object(
  {
    id: Uuid,
    number: Text(30),
    paymentId: Uuid,
    patientId: Uuid,
    issuedAt: IsoDateTime,
    issuedBy: Text(120),
    currency: Text(3),
    totalMinor: Minor,
    refundedMinor: Minor,
    snapshot: InvoiceSnapshot,
    creditNotes: Type.Array(CreditNoteSummary),
  },
  { additionalProperties: false },
);
export type Invoice = Static<typeof Invoice>;

export const InvoiceSummary = Type.Object(
  {
    id: Uuid,
    number: Text(30),
    patientId: Uuid,
    patientMrn: Text(20),
    patientName: Text(200),
    issuedAt: IsoDateTime,
    totalMinor: Minor,
    refundedMinor: Minor,
  },
  { additionalProperties: false },
);
export type InvoiceSummary = Static<typeof InvoiceSummary>;

export const InvoiceQuery = Type.Object(
  {
    q: Type.Optional(Text(100)),
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    patientId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type InvoiceQuery = Static<typeof InvoiceQuery>;

export const InvoiceList = Type.Object({ currency: Text(3), items: Type.Array(InvoiceSummary) }, { additionalProperties: false });

export const PaymentResult = Type.Object(
  { paymentId: Uuid, totalMinor: PositiveMinor, changeMinor: Minor, invoice: Invoice },
  { additionalProperties: false },
);
export type PaymentResult = Static<typeof PaymentResult>;

export const RefundBody = Type.Object(
  {
    idempotencyKey: IdempotencyKey,
    method: Type.Enum(PAYMENT_METHODS),
    reason: Text(500, 3),
    lines: Type.Array(Type.Object({ chargeId: Uuid, amountMinor: PositiveMinor }, { additionalProperties: false }), { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type RefundBody = Static<typeof RefundBody>;

export const PrintQuery = Type.Object({ lang: Type.Optional(Type.Enum(['en', 'ar'])) }, { additionalProperties: false });

export const DayQuery = Type.Object({ date: Type.Optional(IsoDate) }, { additionalProperties: false });

const MethodTotals = Type.Object(
  { method: Type.Enum(PAYMENT_METHODS), receivedMinor: Minor, refundedMinor: Minor, netMinor: Type.Integer() },
  { additionalProperties: false },
);

export const CashierDay = Type.Object(
  {
    date: IsoDate,
    currency: Text(3),
    byMethod: Type.Array(MethodTotals),
    byStaff: Type.Array(
      Type.Object({ userId: Uuid, name: Text(120), receivedMinor: Minor, refundedMinor: Minor, payments: Type.Integer() }, { additionalProperties: false }),
    ),
    totals: Type.Object({ receivedMinor: Minor, refundedMinor: Minor, netMinor: Type.Integer() }, { additionalProperties: false }),
    openCharges: Type.Array(
      Type.Object(
        { id: Uuid, patientId: Uuid, patientMrn: Text(20), patientName: Text(200), nameEn: Text(120), nameAr: Text(120), totalMinor: Minor, createdAt: IsoDateTime, deferred: Type.Boolean(), version: Type.Integer() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CashierDay = Static<typeof CashierDay>;

/**
 * One CSV cell of text someone typed (names, references). Spreadsheet programs run a cell that starts
 * with = + - @ (or a tab or carriage return) as a formula, so such a cell is prefixed with a quote.
 */
export function csvText(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
