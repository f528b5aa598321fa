import { randomUUID } from 'node:crypto';
import { localDate, zonedInstant, systemClock } from '../clock.ts';
import type { Database } from '../main.ts';
import { setUpClinic } from '../features/auth/auth.service.ts';
import { createStaff } from '../features/users/users.service.ts';
import { registerPatient } from '../features/patients/patients.service.ts';
import { checkIn } from '../features/visits/visits.service.ts';
import { createService, listCharges, pay } from '../features/billing/billing.service.ts';
import { loadConfig } from '../config.ts';
import { writeTx, type Actor } from '../events/transaction.ts';
import type { Role } from '../../common/permissions.ts';
import { sql } from 'kysely';

export const DEMO_PASSWORD = 'demo-clinic-2026';

export const DEMO_STAFF: { username: string; displayName: string; role: Role }[] = [
  { username: 'admin', displayName: 'Rania Admin', role: 'admin' },
  { username: 'sara', displayName: 'Sara Khoury', role: 'secretary' },
  { username: 'omar', displayName: 'Omar Saleh', role: 'secretary' },
  { username: 'dr.nour', displayName: 'Dr. Nour Haddad', role: 'doctor' },
  { username: 'dr.khalid', displayName: 'Dr. Khalid Mansour', role: 'doctor' },
  { username: 'dr.maria', displayName: 'Dr. Maria Costa', role: 'doctor' },
  { username: 'lab.ali', displayName: 'Ali Nasser', role: 'lab' },
];

const LATIN_GIVEN = ['Lina', 'Yousef', 'Maya', 'Karim', 'Hana', 'Sami', 'Noor', 'Adam', 'Leila', 'Jana', 'Tariq', 'Zein', 'José', 'Chloé', 'Ahmad', 'Rami'];
const LATIN_FAMILY = ['Haddad', 'Khalil', 'Nasser', 'Saleh', 'Odeh', 'Barakat', 'Hijazi', 'Azar', 'Mansour', 'Qasem', 'Fernández', 'Müller', 'Shami', 'Darwish'];
const ARABIC_GIVEN = ['أحمد', 'محمد', 'فاطمة', 'ليلى', 'يوسف', 'مريم', 'عمر', 'سلمى', 'خالد', 'نور', 'إيمان', 'حسن', 'رنا', 'زيد'];
const ARABIC_FAMILY = ['الحداد', 'خليل', 'ناصر', 'صالح', 'عودة', 'بركات', 'حجازي', 'منصور', 'قاسم', 'الشامي', 'درويش', 'العلي'];

/** A fixed pseudo-random sequence, so every demo looks the same. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * Fills an empty database with a demo clinic: staff of every role, 200 patients, today's appointments
 * and a few patients already waiting. Does nothing when a clinic already exists.
 */
export async function seedDemo(database: Database, log: (line: string) => void): Promise<boolean> {
  const { rows } = await sql<{ needed: boolean }>`SELECT auth_setup_needed() AS needed`.execute(database.db);
  if (!rows[0].needed) return false;
  const config = loadConfig({});
  const deps = { db: database.db, config, clock: systemClock };
  const timeZone = 'Asia/Amman';
  const { me } = await setUpClinic(
    deps,
    { clinicName: 'Demo Family Clinic', timeZone, currency: 'JOD', defaultLanguage: 'en', admin: { username: 'admin', displayName: 'Rania Admin', password: DEMO_PASSWORD } },
    '127.0.0.1',
    'demo seed',
  );
  const admin: Actor = { userId: me.userId, clinicId: me.clinicId, role: 'admin', sessionId: null, ip: '127.0.0.1', displayName: me.displayName };
  const staff = new Map<string, string>();
  for (const member of DEMO_STAFF.slice(1)) {
    const created = await createStaff(deps, admin, {
      username: member.username,
      displayName: member.displayName,
      role: member.role,
      password: DEMO_PASSWORD,
      ...(member.role === 'doctor' && {
        schedule: { slotMinutes: 20, consultationType: 'general', blocks: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ weekday: d, start: '08:00', end: '20:00' })) },
      }),
    });
    staff.set(member.username, created.id);
  }
  const secretary: Actor = { ...admin, userId: staff.get('sara')!, role: 'secretary', displayName: 'Sara Khoury' };
  const random = sequence(42);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const today = localDate(new Date(), timeZone);
  const patients: string[] = [];
  for (let i = 0; i < 200; i++) {
    const arabicOnly = i % 5 === 0;
    const both = i % 3 === 0;
    const year = 1940 + Math.floor(random() * 80);
    const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const patient = await registerPatient(deps, secretary, {
      ...(!arabicOnly && { givenNameLatin: pick(LATIN_GIVEN), familyNameLatin: pick(LATIN_FAMILY) }),
      ...((arabicOnly || both) && { givenNameArabic: pick(ARABIC_GIVEN), familyNameArabic: pick(ARABIC_FAMILY) }),
      sex: random() < 0.5 ? 'female' : 'male',
      birthDate: birthDate > today ? '1990-01-01' : birthDate,
      phone: `+962 7${7 + Math.floor(random() * 3)} ${String(1000000 + i * 7919).slice(0, 7)}`,
      ...(i % 4 === 0 && { nationalId: `JO${String(9_000_000 + i * 31).padStart(10, '0')}` }),
      address: i % 2 === 0 ? 'Amman, Jabal Al-Hussein' : null,
      acknowledgeDuplicates: true,
    });
    patients.push(patient.id);
  }
  log('Registered 200 demo patients.');
  // Today's appointments are written directly (still audited): the booking rules refuse times already
  // past, and a demo started in the evening should still show a full day.
  const doctors = ['dr.nour', 'dr.khalid', 'dr.maria'].map((u) => staff.get(u)!);
  await writeTx(deps, secretary, 'appointment.book', async (tx) => {
    let n = 20;
    for (const doctorId of doctors) {
      for (let hour = 8; hour < 20; hour++) {
        const id = randomUUID();
        const startsAt = zonedInstant(today, `${String(hour).padStart(2, '0')}:00`, timeZone);
        const patientId = patients[n++];
        await tx.db
          .insertInto('appointments')
          .values({ id, clinic_id: me.clinicId, doctor_id: doctorId, patient_id: patientId, starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 20 * 60_000), created_by: secretary.userId, reason: 'Follow-up' })
          .execute();
        await tx.db
          .insertInto('appointment_history')
          .values({ clinic_id: me.clinicId, appointment_id: id, from_status: null, to_status: 'booked', starts_at: startsAt, by_user: secretary.userId, reason: 'demo' })
          .execute();
        tx.audit({ entityType: 'appointment', entityId: id, patientId, details: { demo: true } });
      }
    }
  });
  const prices = [
    { code: 'CONS-GEN', nameEn: 'General consultation', nameAr: 'معاينة عامة', kind: 'consultation', consultationType: 'general', priceMinor: 15_000 },
    { code: 'CONS-SPEC', nameEn: 'Specialist consultation', nameAr: 'معاينة اختصاصي', kind: 'consultation', consultationType: 'specialist', priceMinor: 25_000 },
    { code: 'CONS-FU', nameEn: 'Follow-up consultation', nameAr: 'معاينة متابعة', kind: 'consultation', consultationType: 'follow_up', priceMinor: 10_000 },
    { code: 'LAB-CBC', nameEn: 'Complete blood count', nameAr: 'تعداد دم كامل', kind: 'lab_test', priceMinor: 8_000 },
    { code: 'PROC-DRESS', nameEn: 'Wound dressing', nameAr: 'غيار جرح', kind: 'procedure', priceMinor: 7_500, taxRateBp: 1600 },
  ] as const;
  for (const price of prices) await createService(deps, admin, price);
  // Six walk-ins: four have paid and wait for a doctor, two are still at the desk awaiting payment.
  for (let i = 0; i < 6; i++) {
    await checkIn(deps, secretary, { patientId: patients[i], doctorId: i % 2 ? doctors[i % 3] : null });
    if (i >= 4) continue;
    const owed = (await listCharges(deps, secretary, { patientId: patients[i] })).items.filter((c) => c.status === 'pending');
    const total = owed.reduce((sum, c) => sum + c.totalMinor, 0);
    await pay(deps, secretary, {
      idempotencyKey: `demo-payment-${i}`,
      patientId: patients[i],
      chargeIds: owed.map((c) => c.id),
      parts: i % 2 ? [{ method: 'card', amountMinor: total, reference: `POS-${1000 + i}` }] : [{ method: 'cash', amountMinor: total, tenderedMinor: total + 5_000 }],
    });
  }
  log('Set the price list, booked today’s appointments, checked in 6 walk-ins and took 4 payments.');
  return true;
}
