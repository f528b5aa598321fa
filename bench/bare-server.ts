import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type pg from 'pg';
import { localDate } from '../server/clock.ts';
import { createPool } from '../server/db/database.ts';
import { displayNames, toSummary } from '../server/features/patients/patients.queries.ts';
import { serveParent, type SqlEvent } from './child.ts';
import { BENCH_POOL_SIZE, CHECK_IN, PAYMENT, CLINIC_BOARD_SETTINGS, beginInClinic, boardStatement, findVisitStatement, searchStatement, type Statement } from './sql.ts';

/**
 * The baseline: plain Fastify and pg running the application's statements for the same clinic as
 * doctors_app (so row-level security applies the same way), with no session, permission, audit,
 * outbox, schema validation or serialisation, and no query builder. What the application costs beyond
 * this is the price of its layers.
 */
const url = process.env.BENCH_DB_URL!;
const clinicId = process.env.BENCH_CLINIC_ID!;
const userId = process.env.BENCH_USER_ID!;
const logSql = process.env.BENCH_LOG_SQL === '1';
let recording: SqlEvent[] | null = null;

const pool = createPool(url, { poolSize: BENCH_POOL_SIZE });
// pg runs a client's queries in order, so this runs before anything else on the new connection.
pool.on('connect', (client) => void client.query('SET ROLE doctors_app').catch(() => {}));

async function run(client: pg.PoolClient, statement: Statement | string) {
  const { text, values } = typeof statement === 'string' ? { text: statement, values: [] } : statement;
  const started = logSql ? performance.now() : 0;
  const result = await client.query(text, values);
  if (recording) recording.push({ sql: text, ms: performance.now() - started });
  return result.rows;
}

async function inClinic<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await run(client, beginInClinic(clinicId));
    try {
      const result = await fn(client);
      await run(client, 'COMMIT');
      return result;
    } catch (error) {
      await run(client, 'ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}

function toVisit(r: Record<string, any>) {
  return {
    id: r.id,
    patientId: r.patient_id,
    patientName: displayNames(r as Parameters<typeof displayNames>[0]).displayName,
    patientNameArabic: displayNames(r as Parameters<typeof displayNames>[0]).displayNameArabic,
    patientMrn: r.mrn,
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    appointmentId: r.appointment_id,
    queueNumber: r.queue_number,
    status: r.status,
    checkedInAt: r.checked_in_at.toISOString(),
    statusChangedAt: r.status_changed_at.toISOString(),
    version: r.version,
  };
}

// Compiled once from the application's queries; a request only swaps in its own values, so no query
// builder runs per request here (search's statement is a one-line raw SQL call, compiled per request).
const BOARD_DAY = '2000-01-01';
const FOUND_ID = '00000000-0000-4000-8000-000000000000';
const boardTemplate = await boardStatement(BOARD_DAY);
const findVisitTemplate = await findVisitStatement(FOUND_ID);
const withValue = (template: Statement, placeholder: unknown, value: unknown): Statement => ({
  text: template.text,
  values: template.values.map((v) => (v === placeholder ? value : v)),
});

const app = Fastify({ logger: false });

app.get('/api/patients', async (request) => {
  const statement = await searchStatement((request.query as { q?: string }).q ?? '');
  if (!statement) return { items: [] };
  const rows = await inClinic((client) => run(client, statement));
  return { items: rows.map((row) => toSummary(row as Parameters<typeof toSummary>[0])) };
});

app.get('/api/visits/board', async () =>
  inClinic(async (client) => {
    const [clinic] = await run(client, CLINIC_BOARD_SETTINGS);
    const items = await run(client, withValue(boardTemplate, BOARD_DAY, localDate(new Date(), clinic.time_zone)));
    return { waitThresholdMinutes: clinic.wait_threshold_minutes, serverTime: new Date().toISOString(), items: items.map(toVisit) };
  }),
);

app.post('/api/visits', async (request, reply) => {
  const { patientId } = request.body as { patientId: string };
  const id = randomUUID();
  const visit = await inClinic(async (client) => {
    const [clinic] = await run(client, CHECK_IN.clinicTimeZone);
    const day = localDate(new Date(), clinic.time_zone);
    if ((await run(client, CHECK_IN.patientExists(patientId))).length === 0) return null;
    if ((await run(client, CHECK_IN.activeVisit(patientId))).length > 0) return null;
    const [service] = await run(client, CHECK_IN.consultationPrice);
    const [{ value }] = await run(client, CHECK_IN.nextQueueNumber(clinicId, day));
    const now = new Date();
    await run(client, CHECK_IN.insertVisit({ id, clinicId, patientId, day, queueNumber: value, userId, now }));
    await run(client, CHECK_IN.insertHistory({ clinicId, visitId: id, userId }));
    const chargeId = randomUUID();
    await run(client, CHECK_IN.insertCharge({ id: chargeId, clinicId, patientId, visitId: id, service, userId, now }));
    await run(client, CHECK_IN.chargeHistory({ clinicId, chargeId, userId }));
    return toVisit((await run(client, withValue(findVisitTemplate, FOUND_ID, id)))[0]);
  });
  if (!visit) return reply.status(409).send({ error: 'not checked in' });
  return reply.status(201).send(visit);
});

app.post('/api/payments', async (request, reply) => {
  const body = request.body as { idempotencyKey: string; patientId: string; chargeIds: string[]; parts: { method: string; amountMinor: number }[] };
  const [chargeId] = body.chargeIds;
  const total = body.parts.reduce((sum, p) => sum + p.amountMinor, 0);
  const paymentId = randomUUID();
  const now = new Date();
  const hash = createHash('sha256').update(JSON.stringify({ chargeIds: body.chargeIds, parts: body.parts, patientId: body.patientId })).digest('hex');
  const result = await inClinic(async (client) => {
    const [patient] = await run(client, PAYMENT.patient(body.patientId));
    if (!patient) return null;
    const inserted = await run(client, PAYMENT.insertPayment({ id: paymentId, clinicId, patientId: body.patientId, key: body.idempotencyKey, hash, total, userId, now }));
    if (inserted.length === 0) return null;
    const visits = await run(client, PAYMENT.lockVisits(chargeId));
    const [charge] = await run(client, PAYMENT.lockCharges(chargeId));
    if (!charge || charge.status !== 'pending' || Number(charge.amount_minor) + Number(charge.tax_minor) !== total) throw new Error('not payable');
    await run(client, PAYMENT.markPaid({ chargeId, paymentId, version: charge.version, now }));
    await run(client, PAYMENT.chargeHistory({ clinicId, chargeId, userId }));
    await run(client, PAYMENT.paymentPart({ clinicId, paymentId, amount: total }));
    const [clinic] = await run(client, PAYMENT.clinicFacts);
    const year = Number(localDate(now, clinic.time_zone).slice(0, 4));
    const [{ last_value: seq }] = await run(client, PAYMENT.nextInvoiceNumber(clinicId, year));
    const number = `INV-${year}-${String(seq).padStart(6, '0')}`;
    const snapshot = {
      clinic: { name: clinic.name, currency: clinic.currency, timeZone: clinic.time_zone },
      patient: { id: patient.id, mrn: patient.mrn, nameLatin: [patient.given_name_latin, patient.family_name_latin].filter(Boolean).join(' ') || null, nameArabic: displayNames(patient).displayNameArabic },
      lines: [{ chargeId, code: charge.code, nameEn: charge.name_en, nameAr: charge.name_ar, amountMinor: Number(charge.amount_minor), taxRateBp: charge.tax_rate_bp, taxMinor: Number(charge.tax_minor), totalMinor: total }],
      subtotalMinor: total,
      taxMinor: 0,
      totalMinor: total,
      payment: { parts: [{ method: 'cash', amountMinor: total, tenderedMinor: total, changeMinor: 0, reference: null }], receivedBy: 'bench' },
    };
    await run(client, PAYMENT.insertInvoice({ id: randomUUID(), clinicId, year, seq, number, paymentId, patientId: body.patientId, currency: clinic.currency, total, snapshot: JSON.stringify(snapshot), now, userId }));
    for (const visit of visits) {
      if (visit.status !== 'awaiting_payment' || !(await run(client, PAYMENT.cleared(visit.id)))[0].cleared) continue;
      await run(client, PAYMENT.releaseVisit(visit.id, now));
      await run(client, PAYMENT.visitHistory({ clinicId, visitId: visit.id, userId }));
    }
    const [invoice] = await run(client, PAYMENT.invoiceOfPayment(paymentId));
    const notes = await run(client, PAYMENT.creditNotes(invoice.id));
    return { paymentId, totalMinor: total, changeMinor: 0, invoice: { ...invoice, creditNotes: notes } };
  });
  if (!result) return reply.status(409).send({ error: 'not paid' });
  return reply.status(201).send(result);
});

await app.listen({ port: 0, host: '127.0.0.1' });

serveParent((app.server.address() as AddressInfo).port, {
  record(on) {
    const recorded = recording ?? [];
    recording = logSql && on ? [] : null;
    return recorded;
  },
  async stop() {
    await app.close();
    await pool.end();
  },
});
