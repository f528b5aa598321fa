import { sql } from 'kysely';
import { csvText, formatMinor, PAYMENT_METHODS, type CashierDay, type PaymentMethod } from '../../../common/billing.ts';
import { addDays, localDate, zonedInstant } from '../../clock.ts';
import { writeTx, type Actor } from '../../events/transaction.ts';
import { displayNames } from '../patients/patients.queries.ts';
import type { BillingDeps } from './billing.service.ts';
import { minor } from './billing.queries.ts';

/**
 * The cashier's day in the clinic's time zone: money received and refunded per method and per person,
 * and every charge still open (unpaid), whatever day it was made.
 */
export async function cashierDay(deps: BillingDeps, actor: Actor, date?: string): Promise<CashierDay> {
  return writeTx(deps, actor, 'billing.day', async (tx) => {
    const clinic = await tx.db.selectFrom('clinics').select(['currency', 'time_zone']).executeTakeFirstOrThrow();
    const day = date ?? localDate(deps.clock.now(), clinic.time_zone);
    tx.audit({ entityType: 'cashier_day', details: { date: day } });
    const from = zonedInstant(day, '00:00', clinic.time_zone);
    const to = zonedInstant(addDays(day, 1), '00:00', clinic.time_zone);
    const received = await tx.db
      .selectFrom('payment_parts as pp')
      .innerJoin('payments as p', 'p.id', 'pp.payment_id')
      .select(['pp.method', sql<string>`sum(pp.amount_minor)`.as('total')])
      .where('p.received_at', '>=', from)
      .where('p.received_at', '<', to)
      .groupBy('pp.method')
      .execute();
    const refunded = await tx.db
      .selectFrom('credit_notes')
      .select(['method', sql<string>`sum(total_minor)`.as('total')])
      .where('issued_at', '>=', from)
      .where('issued_at', '<', to)
      .groupBy('method')
      .execute();
    const byMethod = PAYMENT_METHODS.map((method: PaymentMethod) => {
      const inMinor = minor(received.find((r) => r.method === method)?.total ?? 0);
      const outMinor = minor(refunded.find((r) => r.method === method)?.total ?? 0);
      return { method, receivedMinor: inMinor, refundedMinor: outMinor, netMinor: inMinor - outMinor };
    });
    const staffIn = await tx.db
      .selectFrom('payments')
      .select(['received_by as user_id', sql<string>`sum(total_minor)`.as('total'), sql<number>`count(*)::int`.as('n')])
      .where('received_at', '>=', from)
      .where('received_at', '<', to)
      .groupBy('received_by')
      .execute();
    const staffOut = await tx.db
      .selectFrom('credit_notes')
      .select(['issued_by as user_id', sql<string>`sum(total_minor)`.as('total')])
      .where('issued_at', '>=', from)
      .where('issued_at', '<', to)
      .groupBy('issued_by')
      .execute();
    const staffIds = [...new Set([...staffIn, ...staffOut].map((r) => r.user_id))];
    const names = staffIds.length ? await tx.db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', staffIds).execute() : [];
    const byStaff = staffIds
      .map((userId) => ({
        userId,
        name: names.find((n) => n.id === userId)?.display_name ?? '',
        receivedMinor: minor(staffIn.find((r) => r.user_id === userId)?.total ?? 0),
        refundedMinor: minor(staffOut.find((r) => r.user_id === userId)?.total ?? 0),
        payments: staffIn.find((r) => r.user_id === userId)?.n ?? 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const open = await tx.db
      .selectFrom('charges as c')
      .innerJoin('patients as p', 'p.id', 'c.patient_id')
      .select(['c.id', 'c.patient_id', 'c.name_en', 'c.name_ar', 'c.amount_minor', 'c.tax_minor', 'c.created_at', 'c.deferred', 'c.version', 'p.mrn', 'p.given_name_latin', 'p.family_name_latin', 'p.given_name_arabic', 'p.family_name_arabic'])
      .where('c.status', '=', 'pending')
      .orderBy('c.created_at')
      .limit(500)
      .execute();
    const receivedTotal = byMethod.reduce((sum, m) => sum + m.receivedMinor, 0);
    const refundedTotal = byMethod.reduce((sum, m) => sum + m.refundedMinor, 0);
    return {
      date: day,
      currency: clinic.currency,
      byMethod,
      byStaff,
      totals: { receivedMinor: receivedTotal, refundedMinor: refundedTotal, netMinor: receivedTotal - refundedTotal },
      openCharges: open.map((c) => ({
        id: c.id,
        patientId: c.patient_id,
        patientMrn: c.mrn,
        patientName: displayNames(c).displayName,
        nameEn: c.name_en,
        nameAr: c.name_ar,
        totalMinor: minor(c.amount_minor) + minor(c.tax_minor),
        createdAt: c.created_at.toISOString(),
        deferred: c.deferred,
        version: c.version,
      })),
    };
  });
}

/** The day report as CSV: one table with a section column, amounts as plain decimals. */
export function cashierDayCsv(report: CashierDay): string {
  const money = (value: number) => formatMinor(value, report.currency, false);
  const rows: string[][] = [['section', 'item', 'received', 'refunded', 'net']];
  for (const m of report.byMethod) rows.push(['method', m.method, money(m.receivedMinor), money(m.refundedMinor), money(m.netMinor)]);
  for (const s of report.byStaff) rows.push(['staff', csvText(s.name), money(s.receivedMinor), money(s.refundedMinor), money(s.receivedMinor - s.refundedMinor)]);
  rows.push(['total', report.date, money(report.totals.receivedMinor), money(report.totals.refundedMinor), money(report.totals.netMinor)]);
  for (const c of report.openCharges) {
    rows.push(['open charge', csvText(`${c.patientMrn} ${c.patientName}: ${c.nameEn}${c.deferred ? ' (deferred)' : ''}`), '', '', money(c.totalMinor)]);
  }
  return rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
}
