import { sql, type Kysely } from 'kysely';
import { phoneTail, type Patient, type PatientSummary } from '../../../common/patients.ts';
import type { Database, PatientsTable } from '../../db/schema.ts';

type PatientRow = Omit<PatientsTable, 'version' | 'created_at' | 'updated_at'> & { version: number; created_at: Date; updated_at: Date };

export const SUMMARY_COLUMNS = [
  'id',
  'mrn',
  'given_name_latin',
  'family_name_latin',
  'given_name_arabic',
  'family_name_arabic',
  'sex',
  'birth_date',
  'phone',
] as const;

type SummaryRow = Pick<PatientRow, (typeof SUMMARY_COLUMNS)[number]>;

function join(...parts: (string | null)[]): string | null {
  const text = parts.filter(Boolean).join(' ');
  return text || null;
}

/** The name to show: Latin when present, else Arabic; the Arabic name is given alongside when both exist. */
export function displayNames(row: Pick<SummaryRow, 'given_name_latin' | 'family_name_latin' | 'given_name_arabic' | 'family_name_arabic'>) {
  const latin = join(row.given_name_latin, row.family_name_latin);
  const arabic = join(row.given_name_arabic, row.family_name_arabic);
  return { displayName: latin ?? arabic ?? '', displayNameArabic: arabic };
}

export function toSummary(row: SummaryRow): PatientSummary {
  return { id: row.id, mrn: row.mrn, ...displayNames(row), sex: row.sex as PatientSummary['sex'], birthDate: row.birth_date, phone: row.phone };
}

export function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    mrn: row.mrn,
    givenNameLatin: row.given_name_latin,
    familyNameLatin: row.family_name_latin,
    givenNameArabic: row.given_name_arabic,
    familyNameArabic: row.family_name_arabic,
    sex: row.sex as Patient['sex'],
    birthDate: row.birth_date,
    phone: row.phone,
    nationalId: row.national_id,
    address: row.address,
    emergencyContactName: row.emergency_contact_name,
    emergencyContactPhone: row.emergency_contact_phone,
    frontDeskNotes: row.front_desk_notes,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function findPatient(db: Kysely<Database>, id: string, lock = false) {
  let query = db.selectFrom('patients').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) as PatientRow | undefined;
}

export async function nextMrn(db: Kysely<Database>, clinicId: string): Promise<string> {
  const row = await db
    .updateTable('clinics')
    .set({ mrn_counter: sql`mrn_counter + 1` })
    .where('id', '=', clinicId)
    .returning('mrn_counter')
    .executeTakeFirstOrThrow();
  return String(row.mrn_counter).padStart(6, '0');
}

export interface SearchTerms {
  nameTokens: string[];
  digits: string | null;
  exact: string | null;
}

/**
 * How a search box's folded text is read: every word with a letter is a name token; text made only of
 * digits and phone punctuation is a phone number (without its trunk zeros); a short code of letters,
 * digits and hyphens may be a record number ("MRN-" optional) or a national id.
 */
export function searchTermsOf(folded: string): SearchTerms {
  const digits = folded.replace(/\D/g, '');
  const onlyPhoneCharacters = digits.length === folded.replace(/[\s()+-]/g, '').length;
  return {
    nameTokens: folded.split(' ').filter((t) => /\p{L}/u.test(t)),
    digits: onlyPhoneCharacters ? digits.replace(/^0+/, '') : null,
    exact: /^[a-z0-9-]{3,24}$/i.test(folded) ? folded.toUpperCase().replace(/^MRN-?/, '') : null,
  };
}

/**
 * One query for every kind of search: exact record number or national id, phone digits, and every
 * name token as a substring of the folded names (trigram index). Exact matches sort first. It runs
 * through patient_search(), which filters by the transaction's clinic itself (see the migration).
 */
export async function searchPatients(db: Kysely<Database>, terms: SearchTerms, limit: number): Promise<SummaryRow[]> {
  const patterns = terms.nameTokens.map((t) => '%' + escapeLike(t) + '%');
  // The longest token is the most selective one for the trigram index; the others filter.
  const main = [...patterns].sort((a, b) => b.length - a.length)[0] ?? null;
  const digits = terms.digits && terms.digits.length >= 4 ? escapeLike(terms.digits) : null;
  if (!terms.exact && !digits && !main) return [];
  const { rows } = await sql<SummaryRow>`
    SELECT * FROM patient_search(${terms.exact}, ${digits}, ${main}, ${patterns}::text[], ${limit})`.execute(db);
  return rows;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

export async function recentPatients(db: Kysely<Database>, limit: number): Promise<SummaryRow[]> {
  return db.selectFrom('patients').select(SUMMARY_COLUMNS).orderBy('updated_at', 'desc').limit(limit).execute();
}

export async function findDuplicates(
  db: Kysely<Database>,
  probe: { birthDate: string; searchName: string; phoneDigits: string; nationalId: string | null; excludeId?: string },
) {
  return db
    .selectFrom('patients')
    .select([...SUMMARY_COLUMNS, 'phone_digits', 'national_id', sql<number>`similarity(search_name, ${probe.searchName})`.as('score')])
    .where((eb) =>
      eb.or([
        eb.and([eb('birth_date', '=', probe.birthDate), sql<boolean>`similarity(search_name, ${probe.searchName}) > 0.35`]),
        eb('phone_digits', 'like', '%' + escapeLike(phoneTail(probe.phoneDigits))),
        ...(probe.nationalId ? [eb(sql`upper(national_id)`, '=', probe.nationalId.toUpperCase())] : []),
      ]),
    )
    .$if(Boolean(probe.excludeId), (qb) => qb.where('id', '!=', probe.excludeId!))
    .orderBy('score', 'desc')
    .limit(10)
    .execute();
}

export async function patientVersions(db: Kysely<Database>, patientId: string) {
  return db
    .selectFrom('patient_versions')
    .innerJoin('users', 'users.id', 'patient_versions.changed_by')
    // Qualified: users has a version column too.
    .select(['patient_versions.version', 'changed_at', 'changed_fields', 'data', 'users.display_name'])
    .where('patient_id', '=', patientId)
    .orderBy('patient_versions.version', 'desc')
    .execute();
}
