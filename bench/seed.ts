import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { foldForSearch, phoneDigits } from '../common/patients.ts';
import { localDate } from '../server/clock.ts';
import { hashPassword } from '../server/features/auth/passwords.ts';

export const BENCH_PASSWORD = 'bench password, loopback only';
export const CLINIC_TIME_ZONE = 'Asia/Amman';

/** A small, fast, seeded generator: the same data (and the same search terms) on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}

// Names as a Levantine clinic sees them: the same person is often on file in both scripts.
const MALE: [string, string][] = [
  ['Mohammad', 'محمد'], ['Ahmad', 'أحمد'], ['Omar', 'عمر'], ['Ali', 'علي'], ['Khaled', 'خالد'], ['Yousef', 'يوسف'],
  ['Ibrahim', 'إبراهيم'], ['Hasan', 'حسن'], ['Hussein', 'حسين'], ['Mahmoud', 'محمود'], ['Osama', 'أسامة'], ['Tareq', 'طارق'],
  ['Zaid', 'زيد'], ['Sami', 'سامي'], ['Fadi', 'فادي'], ['Rami', 'رامي'], ['Bilal', 'بلال'], ['Hamza', 'حمزة'],
  ['Mustafa', 'مصطفى'], ['Issa', 'عيسى'], ['Anas', 'أنس'], ['Laith', 'ليث'], ['Yazan', 'يزن'], ['Majed', 'ماجد'],
  ['Nabil', 'نبيل'], ['Karim', 'كريم'], ['Saleh', 'صالح'], ['Adnan', 'عدنان'], ['Walid', 'وليد'], ['Jamal', 'جمال'],
];
const FEMALE: [string, string][] = [
  ['Fatima', 'فاطمة'], ['Aisha', 'عائشة'], ['Maryam', 'مريم'], ['Lina', 'لينا'], ['Rania', 'رانيا'], ['Huda', 'هدى'],
  ['Noor', 'نور'], ['Sara', 'سارة'], ['Layla', 'ليلى'], ['Hala', 'هالة'], ['Dana', 'دانا'], ['Rasha', 'رشا'],
  ['Salma', 'سلمى'], ['Yasmin', 'ياسمين'], ['Zeinab', 'زينب'], ['Amal', 'أمل'], ['Reem', 'ريم'], ['Ghada', 'غادة'],
  ['Nadia', 'نادية'], ['Samar', 'سمر'], ['Rawan', 'روان'], ['Jumana', 'جمانة'], ['Asma', 'أسماء'], ['Maha', 'مها'],
  ['Lubna', 'لبنى'], ['Hiba', 'هبة'], ['Bushra', 'بشرى'], ['Sawsan', 'سوسن'], ['Widad', 'وداد'], ['Abeer', 'عبير'],
];
const FAMILY: [string, string][] = [
  ['Haddad', 'حداد'], ['Khoury', 'خوري'], ['Nasser', 'ناصر'], ['Hamdan', 'حمدان'], ['Masri', 'المصري'], ['Qasem', 'قاسم'],
  ['Abu Zeid', 'أبو زيد'], ['Al-Khatib', 'الخطيب'], ['Najjar', 'النجار'], ['Shami', 'الشامي'], ['Tamimi', 'التميمي'],
  ['Zoubi', 'الزعبي'], ['Obeidat', 'عبيدات'], ['Rawashdeh', 'الرواشدة'], ['Majali', 'المجالي'], ['Awad', 'عوض'],
  ['Darwish', 'درويش'], ['Sabbagh', 'الصباغ'], ['Hijazi', 'حجازي'], ['Barghouti', 'البرغوثي'], ['Jaber', 'جابر'],
  ['Khalil', 'خليل'], ['Mansour', 'منصور'], ['Yasin', 'ياسين'], ['Bakr', 'بكر'], ['Hourani', 'الحوراني'], ['Odeh', 'عودة'],
  ['Faraj', 'فرج'], ['Suleiman', 'سليمان'], ['Halabi', 'الحلبي'], ['Kanaan', 'كنعان'], ['Qudah', 'القضاة'],
  ['Smadi', 'الصمادي'], ['Shdeifat', 'الشديفات'], ['Batayneh', 'البطاينة'], ['Momani', 'المومني'], ['Nsour', 'النسور'],
  ['Hammad', 'حماد'], ['Attar', 'العطار'], ['Saleh', 'صالح'],
];
// Visitors and mixed families: accents that the search fold has to see through.
const FOREIGN_GIVEN = ['José', 'Zoë', 'Hélène', 'Anaïs', 'Élodie', 'John', 'Maria', 'Peter', 'Ingrid', 'Søren', 'Agnès', 'Noël'];
const FOREIGN_FAMILY = ['García', 'Müller', 'Dubois', 'Smith', 'Kowalski', 'Novák', 'Öztürk', 'Lefèvre', 'Jiménez', 'Brontë'];
const AREAS = ['Amman, Jabal Al-Hussein', 'Amman, Shmeisani', 'Amman, Marka', 'Zarqa', 'Irbid', 'Salt', 'Madaba', 'Amman, Khalda', 'Aqaba'];
// Tashkeel that some people type and the fold removes.
const VOWELLED: Record<string, string> = { 'محمد': 'مُحَمَّد', 'أحمد': 'أَحْمَد', 'فاطمة': 'فَاطِمَة', 'عمر': 'عُمَر' };

export interface SeededPatient {
  id: string;
  mrn: string;
  nameLatin: string | null;
  nameArabic: string | null;
  phone: string;
  nationalId: string | null;
}

export interface Staff {
  id: string;
  username: string;
  role: 'admin' | 'secretary' | 'doctor';
  displayName: string;
}

export interface Seeded {
  clinicId: string;
  today: string;
  admin: Staff;
  secretaries: Staff[];
  doctors: Staff[];
  patients: SeededPatient[];
  /** Patients with no visit today, shuffled: each is checked in at most once during the run. */
  freeForCheckIn: string[];
  visits: number;
}

function phoneFor(r: ReturnType<typeof prng>): string {
  const local = `7${r.pick(['7', '8', '9'])}${String(r.int(10_000_000)).padStart(7, '0')}`;
  switch (r.int(4)) {
    case 0:
      return `+962 ${local.slice(0, 2)} ${local.slice(2, 5)} ${local.slice(5)}`;
    case 1:
      return `0${local}`;
    case 2:
      return `+962${local}`;
    default:
      return `0${local.slice(0, 2)} ${local.slice(2, 5)} ${local.slice(5)}`;
  }
}

function birthDate(r: ReturnType<typeof prng>, now: Date): string {
  const start = Date.UTC(1935, 0, 1);
  return new Date(start + r.next() * (now.getTime() - 86_400_000 - start)).toISOString().slice(0, 10);
}

// How a day's queue looks by afternoon: early numbers are mostly done, recent ones still waiting.
const EARLY_STATUSES: [string, number][] = [['completed', 85], ['cancelled', 5], ['left_without_being_seen', 5], ['awaiting_results', 5]];
const LATE_STATUSES: [string, number][] = [
  ['waiting', 60], ['awaiting_payment', 20], ['awaiting_results', 10], ['cancelled', 5], ['left_without_being_seen', 5],
];

function weighted(r: ReturnType<typeof prng>, choices: [string, number][]): string {
  let roll = r.next() * choices.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return choices[choices.length - 1][0];
}

const CHUNK = 5_000;

/**
 * Fills a fresh database with one clinic: staff, `patientCount` patients, and a day of `visitCount`
 * visits in queue order as the day has gone so far. Rows go in as the owner, in multi-row inserts from
 * arrays (one statement per 5,000 patients), with search columns folded exactly as the app folds them.
 */
export async function seed(owner: pg.Client, patientCount: number, visitCount: number): Promise<Seeded> {
  const r = prng(20_240_601);
  const now = new Date();
  const clinicId = randomUUID();
  const today = localDate(now, CLINIC_TIME_ZONE);
  await owner.query(
    "INSERT INTO clinics (id, name, time_zone, currency, default_language, mrn_counter) VALUES ($1, 'Bench Polyclinic', $2, 'JOD', 'ar', $3)",
    [clinicId, CLINIC_TIME_ZONE, patientCount],
  );

  const hash = await hashPassword(BENCH_PASSWORD);
  const staff = (role: Staff['role'], n: number, names: string[]): Staff[] =>
    Array.from({ length: n }, (_, i) => ({ id: randomUUID(), username: `bench-${role}-${i + 1}`, role, displayName: names[i] }));
  const [admin] = staff('admin', 1, ['Clinic Admin']);
  const secretaries = staff('secretary', 3, ['Rana Front Desk', 'Hadeel Front Desk', 'Mousa Front Desk']);
  const doctors = staff('doctor', 4, ['Dr. Samir Haddad', 'Dr. Leen Khoury', 'Dr. Tamer Obeidat', 'Dr. Dima Masri']);
  for (const user of [admin, ...secretaries, ...doctors]) {
    await owner.query('INSERT INTO users (id, clinic_id, username, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6)', [
      user.id,
      clinicId,
      user.username,
      user.displayName,
      user.role,
      hash,
    ]);
  }
  for (const doctor of doctors) {
    await owner.query("INSERT INTO doctor_profiles (user_id, clinic_id, consultation_type, slot_minutes) VALUES ($1, $2, 'general', 15)", [doctor.id, clinicId]);
  }

  const patients: SeededPatient[] = [];
  const columns = Array.from({ length: 16 }, () => [] as unknown[]);
  const flush = async () => {
    if (columns[0].length === 0) return;
    await owner.query(
      `INSERT INTO patients (id, clinic_id, mrn, given_name_latin, family_name_latin, given_name_arabic, family_name_arabic, sex,
         birth_date, phone, phone_digits, national_id, address, search_name, created_at, updated_at, created_by, updated_by)
       SELECT id, $17, mrn, gl, fl, ga, fa, sex, bd, phone, digits, nid, address, sn, created, updated, $18, $18
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::int[])
         AS t(id, mrn, gl, fl, ga, fa, sex, bd, phone, digits, nid, address, sn, created, updated, ord)
       ORDER BY ord`,
      [...columns, clinicId, admin.id],
    );
    for (const column of columns) column.length = 0;
  };
  for (let i = 0; i < patientCount; i++) {
    const female = r.chance(0.5);
    const foreign = r.chance(0.06);
    const [givenL, givenA] = r.pick(female ? FEMALE : MALE);
    const [familyL, familyA] = r.pick(FAMILY);
    // Often the father's name is part of the given name, as on Jordanian ID cards.
    const [fatherL, fatherA] = r.chance(0.2) ? r.pick(MALE) : [null, null];
    const script = foreign ? 'latin' : r.pick(['both', 'both', 'both', 'arabic', 'arabic', 'latin', 'latin'] as const);
    let gl: string | null = null;
    let fl: string | null = null;
    let ga: string | null = null;
    let fa: string | null = null;
    if (foreign) {
      gl = r.pick(FOREIGN_GIVEN);
      fl = r.pick(FOREIGN_FAMILY);
    } else {
      if (script !== 'arabic') {
        gl = fatherL ? `${givenL} ${fatherL}` : givenL;
        fl = familyL;
      }
      if (script !== 'latin') {
        const given = r.chance(0.05) ? (VOWELLED[givenA] ?? givenA) : givenA;
        ga = fatherA ? `${given} ${fatherA}` : given;
        fa = familyA;
      }
    }
    const phone = phoneFor(r);
    const nationalId = r.chance(0.6) ? `9${String((i * 7919 + 104_729) % 1_000_000_000).padStart(9, '0')}` : null;
    const mrn = String(i + 1).padStart(6, '0');
    const created = new Date(now.getTime() - r.next() * 5 * 365 * 86_400_000);
    const updated = new Date(Math.min(now.getTime(), created.getTime() + r.next() * 365 * 86_400_000));
    const id = randomUUID();
    const row = [
      id,
      mrn,
      gl,
      fl,
      ga,
      fa,
      r.chance(0.01) ? 'unknown' : female ? 'female' : 'male',
      birthDate(r, now),
      phone,
      phoneDigits(phone),
      nationalId,
      r.chance(0.7) ? r.pick(AREAS) : null,
      foldForSearch([gl, fl, ga, fa].filter(Boolean).join(' ')),
      created.toISOString(),
      updated.toISOString(),
      i,
    ];
    row.forEach((value, c) => columns[c].push(value));
    patients.push({
      id,
      mrn,
      nameLatin: gl && `${gl} ${fl}`,
      nameArabic: ga && `${ga} ${fa}`,
      phone,
      nationalId,
    });
    if (columns[0].length === CHUNK) await flush();
  }
  await flush();

  // Today's visits go to patients spread over the whole register; everyone else may walk in.
  const stride = Math.max(1, Math.floor(patientCount / visitCount));
  const visiting = new Set<number>();
  for (let q = 0; q < visitCount; q++) visiting.add((q * stride) % patientCount);
  const visitCols = Array.from({ length: 7 }, () => [] as unknown[]);
  const busyDoctors = new Set<string>();
  for (let q = 1; q <= visitCount; q++) {
    const early = q <= visitCount * 0.8;
    let status = weighted(r, early ? EARLY_STATUSES : LATE_STATUSES);
    let doctor: string | null = r.pick(doctors).id;
    // Each doctor has at most one patient in consultation: the database holds that rule too.
    if (!early && status === 'waiting' && !busyDoctors.has(doctor) && r.chance(0.1)) {
      status = 'in_consultation';
      busyDoctors.add(doctor);
    }
    if ((status === 'waiting' || status === 'awaiting_payment') && r.chance(0.3)) doctor = null;
    const checkedIn = new Date(now.getTime() - (visitCount - q + 1) * 9_000);
    const changed = status === 'waiting' ? checkedIn : new Date(Math.min(now.getTime(), checkedIn.getTime() + 60_000 + r.int(1_800_000)));
    const row = [
      patients[((q - 1) * stride) % patientCount].id,
      doctor,
      q,
      status,
      checkedIn.toISOString(),
      changed.toISOString(),
      r.pick(secretaries).id,
    ];
    row.forEach((value, c) => visitCols[c].push(value));
  }
  await owner.query(
    `INSERT INTO visits (id, clinic_id, patient_id, doctor_id, clinic_day, queue_number, status, checked_in_at, status_changed_at, created_by)
     SELECT gen_random_uuid(), $8, patient_id, doctor_id, $9, queue_number, status, checked_in_at, status_changed_at, created_by
     FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::uuid[])
       AS t(patient_id, doctor_id, queue_number, status, checked_in_at, status_changed_at, created_by)`,
    [...visitCols, clinicId, today],
  );
  // The history a real day leaves: the check-in, and the latest move for visits that have moved on.
  await owner.query(
    `INSERT INTO visit_history (clinic_id, visit_id, from_status, to_status, at, by_user)
     SELECT clinic_id, id, NULL, 'waiting', checked_in_at, created_by FROM visits WHERE clinic_id = $1
     UNION ALL
     SELECT clinic_id, id, 'waiting', status, status_changed_at, coalesce(doctor_id, created_by) FROM visits
     WHERE clinic_id = $1 AND status <> 'waiting'`,
    [clinicId],
  );
  await owner.query("INSERT INTO daily_counters (clinic_id, clinic_day, kind, value) VALUES ($1, $2, 'queue', $3)", [clinicId, today, visitCount]);
  // The price list's general consultation: every check-in of the run owes it.
  await owner.query(
    `INSERT INTO services (id, clinic_id, code, name_en, name_ar, kind, consultation_type, price_minor)
     VALUES ($1, $2, 'CONS-GEN', 'General consultation', 'معاينة عامة', 'consultation', 'general', $3)`,
    [randomUUID(), clinicId, BENCH_FEE_MINOR],
  );

  const free = patients.filter((_, i) => !visiting.has(i)).map((p) => p.id);
  for (let i = free.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [free[i], free[j]] = [free[j], free[i]];
  }
  return { clinicId, today, admin, secretaries, doctors, patients, freeForCheckIn: free, visits: visitCount };
}

/** A consultation fee every payment fixture owes. */
export const BENCH_FEE_MINOR = 15_000;

export interface OwedCharge {
  patientId: string;
  chargeId: string;
}

/**
 * For the payment scenario: `patientIds` checked in today and awaiting payment of one consultation
 * charge each (visits numbered after the day's queue). Added just
 * before payments are measured, so the board and check-in scenarios never see these visits.
 */
export async function seedOwedCharges(owner: pg.Client, seeded: Seeded, patientIds: string[]): Promise<OwedCharge[]> {
  const { rows } = await owner.query("SELECT id FROM services WHERE clinic_id = $1 AND code = 'CONS-GEN'", [seeded.clinicId]);
  const serviceId = rows[0].id as string;
  const secretary = seeded.secretaries[0].id;
  const visitIds = patientIds.map(() => randomUUID());
  const chargeIds = patientIds.map(() => randomUUID());
  await owner.query(
    `INSERT INTO visits (id, clinic_id, patient_id, clinic_day, queue_number, status, created_by)
     SELECT id, $3, patient_id, $4, 100000 + n, 'awaiting_payment', $5
     FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS t(id, patient_id, n)`,
    [visitIds, patientIds, seeded.clinicId, seeded.today, secretary],
  );
  await owner.query(
    `INSERT INTO charges (id, clinic_id, patient_id, visit_id, service_id, kind, code, name_en, name_ar, amount_minor, tax_rate_bp, tax_minor, status, created_by)
     SELECT id, $4, patient_id, visit_id, $5, 'consultation', 'CONS-GEN', 'General consultation', 'معاينة عامة', $6, 0, 0, 'pending', $7
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(id, patient_id, visit_id)`,
    [chargeIds, patientIds, visitIds, seeded.clinicId, serviceId, BENCH_FEE_MINOR, secretary],
  );
  await owner.query('ANALYZE visits, charges');
  return patientIds.map((patientId, i) => ({ patientId, chargeId: chargeIds[i] }));
}

/**
 * Search terms a front desk types, drawn from the seeded register: name fragments in both scripts (as
 * typed: lower case, partial, sometimes two words), phone digits, record numbers and national ids.
 */
export function searchTerms(patients: SeededPatient[], count: number): { term: string; kind: string }[] {
  const r = prng(7);
  const terms: { term: string; kind: string }[] = [];
  const fragment = (word: string) => word.slice(0, Math.min(word.length, 3 + r.int(4)));
  while (terms.length < count) {
    const p = r.pick(patients);
    const roll = r.next();
    if (roll < 0.3 && p.nameLatin) {
      terms.push({ term: fragment(r.pick(p.nameLatin.split(' '))).toLowerCase(), kind: 'latin fragment' });
    } else if (roll < 0.4 && p.nameLatin) {
      const words = p.nameLatin.split(' ');
      terms.push({ term: `${fragment(words[0])} ${fragment(words[words.length - 1])}`.toLowerCase(), kind: 'latin two words' });
    } else if (roll < 0.65 && p.nameArabic) {
      const words = p.nameArabic.split(' ');
      terms.push({ term: r.chance(0.3) ? `${words[0]} ${words[words.length - 1]}` : fragment(r.pick(words)), kind: 'arabic' });
    } else if (roll < 0.8) {
      const digits = phoneDigits(p.phone);
      terms.push({ term: digits.slice(-(4 + r.int(4))), kind: 'phone digits' });
    } else if (roll < 0.93) {
      terms.push({ term: r.chance(0.5) ? p.mrn : `MRN-${p.mrn}`, kind: 'record number' });
    } else if (p.nationalId) {
      terms.push({ term: p.nationalId, kind: 'national id' });
    }
  }
  return terms;
}
