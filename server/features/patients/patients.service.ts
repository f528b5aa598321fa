import { randomUUID } from 'node:crypto';
import { AppError } from '../../../common/errors.ts';
import {
  DEMOGRAPHIC_FIELDS,
  foldForSearch,
  phoneDigits,
  phoneTail,
  type Patient,
  type PatientInput,
  type PatientSummary,
  type PatientUpdate,
} from '../../../common/patients.ts';
import { inClinic, writeTx, type Actor, type TxDeps } from '../../events/transaction.ts';
import type { Clock } from '../../clock.ts';
import { clinicToday } from '../clinic/clinic.service.ts';
import * as q from './patients.queries.ts';

export interface PatientDeps extends TxDeps {
  clock: Clock;
}

type Demographics = Omit<PatientInput, 'acknowledgeDuplicates'>;

const LATIN_NAME = /^[\p{Script=Latin}][\p{Script=Latin}\p{M}' .-]*$/u;
const ARABIC_NAME = /^[\p{Script=Arabic}][\p{Script=Arabic}\p{M}' .-]*$/u;

function clean(value: string | null | undefined): string | null {
  const trimmed = value?.trim().replace(/\s+/g, ' ');
  return trimmed ? trimmed : null;
}

function fieldError(field: string, message: string): AppError {
  return new AppError('validation_failed', message, { fields: [{ field, message }] });
}

function isRealDate(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Trims every field and checks what a schema cannot: name scripts, a real and past birth date. */
function normalise(input: Demographics, today: string) {
  const row = {
    given_name_latin: clean(input.givenNameLatin),
    family_name_latin: clean(input.familyNameLatin),
    given_name_arabic: clean(input.givenNameArabic),
    family_name_arabic: clean(input.familyNameArabic),
    sex: input.sex,
    birth_date: input.birthDate,
    phone: clean(input.phone)!,
    national_id: clean(input.nationalId)?.toUpperCase() ?? null,
    address: clean(input.address),
    emergency_contact_name: clean(input.emergencyContactName),
    emergency_contact_phone: clean(input.emergencyContactPhone),
    front_desk_notes: input.frontDeskNotes?.trim() || null,
  };
  const hasLatin = row.given_name_latin && row.family_name_latin;
  const hasArabic = row.given_name_arabic && row.family_name_arabic;
  if (!hasLatin && !hasArabic) throw fieldError('givenNameLatin', 'Enter the given and family name in Latin or Arabic script.');
  for (const [field, value, pattern, script] of [
    ['givenNameLatin', row.given_name_latin, LATIN_NAME, 'Latin'],
    ['familyNameLatin', row.family_name_latin, LATIN_NAME, 'Latin'],
    ['givenNameArabic', row.given_name_arabic, ARABIC_NAME, 'Arabic'],
    ['familyNameArabic', row.family_name_arabic, ARABIC_NAME, 'Arabic'],
  ] as const) {
    if (value && !pattern.test(value)) throw fieldError(field, `Use ${script} letters only in this name.`);
  }
  if (!isRealDate(row.birth_date)) throw fieldError('birthDate', 'This date does not exist.');
  if (row.birth_date > today) throw fieldError('birthDate', 'The date of birth cannot be in the future.');
  if (row.birth_date < '1880-01-01') throw fieldError('birthDate', 'The date of birth is too far in the past.');
  const digits = phoneDigits(row.phone);
  if (digits.length < 6) throw fieldError('phone', 'Enter a phone number with at least 6 digits.');
  const searchName = foldForSearch([row.given_name_latin, row.family_name_latin, row.given_name_arabic, row.family_name_arabic].filter(Boolean).join(' '));
  return { ...row, phone_digits: digits, search_name: searchName };
}

type NormalisedRow = ReturnType<typeof normalise>;

function versionData(row: NormalisedRow): Record<string, string | null> {
  return Object.fromEntries(
    DEMOGRAPHIC_FIELDS.map((field) => [field, (row as Record<string, string | null>)[toColumn(field)] ?? null]),
  );
}

function toColumn(field: string): string {
  return field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

async function duplicatesOf(conn: Parameters<Parameters<typeof inClinic>[2]>[0], row: NormalisedRow, excludeId?: string) {
  const found = await q.findDuplicates(conn, {
    birthDate: row.birth_date,
    searchName: row.search_name,
    phoneDigits: row.phone_digits,
    nationalId: row.national_id,
    excludeId,
  });
  return found.map((f) => {
    const reasons: string[] = [];
    if (f.birth_date === row.birth_date && f.score > 0.35) reasons.push('name_and_birth_date');
    if (phoneTail(f.phone_digits) === phoneTail(row.phone_digits)) reasons.push('phone');
    if (row.national_id && f.national_id === row.national_id) reasons.push('national_id');
    return { patient: q.toSummary(f), reasons };
  });
}

/** Likely existing records for the person about to be registered; audited like a search, since it is one. */
export async function findDuplicates(deps: PatientDeps, actor: Actor, input: Demographics) {
  const today = await clinicToday(deps, actor);
  const row = normalise(input, today);
  return writeTx(deps, actor, 'patient.duplicate_check', async (tx) => {
    const candidates = await duplicatesOf(tx.db, row);
    tx.audit({ entityType: 'patient', details: { candidates: candidates.length } });
    return candidates;
  });
}

/**
 * Registers a patient with the clinic's next record number. A likely duplicate is refused unless the
 * secretary has seen it and chosen to register anyway; a national id can belong to one patient only.
 */
export async function registerPatient(deps: PatientDeps, actor: Actor, input: PatientInput): Promise<Patient> {
  const today = await clinicToday(deps, actor);
  const row = normalise(input, today);
  const id = randomUUID();
  return writeTx(deps, actor, 'patient.create', async (tx) => {
    const candidates = await duplicatesOf(tx.db, row);
    const sameNationalId = candidates.find((c) => c.reasons.includes('national_id'));
    if (sameNationalId) {
      throw new AppError('possible_duplicate', `National id already belongs to ${sameNationalId.patient.displayName} (${sameNationalId.patient.mrn}).`, {
        candidates,
        blocking: true,
      });
    }
    if (candidates.length > 0 && !input.acknowledgeDuplicates) {
      throw new AppError('possible_duplicate', 'This person may already be registered.', { candidates });
    }
    const mrn = await q.nextMrn(tx.db, actor.clinicId);
    await tx.db
      .insertInto('patients')
      .values({ id, clinic_id: actor.clinicId, mrn, ...row, created_by: actor.userId, updated_by: actor.userId })
      .execute();
    await tx.db
      .insertInto('patient_versions')
      .values({
        clinic_id: actor.clinicId,
        patient_id: id,
        version: 1,
        data: JSON.stringify(versionData(row)),
        changed_fields: DEMOGRAPHIC_FIELDS.filter((f) => versionData(row)[f] !== null),
        changed_by: actor.userId,
      })
      .execute();
    tx.audit({ entityType: 'patient', entityId: id, patientId: id, details: candidates.length ? { duplicatesAcknowledged: candidates.length } : undefined });
    tx.emit('patient.changed', id);
    return q.toPatient((await q.findPatient(tx.db, id))!);
  });
}

/** Reads one patient's demographics; the read itself is audited. Another clinic's patient is not found. */
export async function getPatient(deps: PatientDeps, actor: Actor, id: string): Promise<Patient> {
  return writeTx(deps, actor, 'patient.read', async (tx) => {
    const row = await q.findPatient(tx.db, id);
    if (!row) throw new AppError('not_found', 'No such patient.');
    tx.audit({ entityType: 'patient', entityId: id, patientId: id });
    return q.toPatient(row);
  });
}

/**
 * Changes demographics, keeping the earlier version. The caller sends the version it edited: if someone
 * else saved in between, the change is refused rather than silently overwriting theirs.
 */
export async function updatePatient(deps: PatientDeps, actor: Actor, id: string, input: PatientUpdate): Promise<Patient> {
  const today = await clinicToday(deps, actor);
  const row = normalise(input, today);
  return writeTx(deps, actor, 'patient.update', async (tx) => {
    const current = await q.findPatient(tx.db, id, true);
    if (!current) throw new AppError('not_found', 'No such patient.');
    if (current.version !== input.version) {
      throw new AppError('stale_version', 'Someone else changed this patient since you opened it. Reload and try again.', {
        currentVersion: current.version,
      });
    }
    if (row.national_id && row.national_id !== current.national_id) {
      const clash = (await duplicatesOf(tx.db, row, id)).find((c) => c.reasons.includes('national_id'));
      if (clash) throw new AppError('possible_duplicate', `National id already belongs to ${clash.patient.displayName} (${clash.patient.mrn}).`, { candidates: [clash], blocking: true });
    }
    const before = versionData(current as unknown as NormalisedRow);
    const after = versionData(row);
    const changed = DEMOGRAPHIC_FIELDS.filter((f) => before[f] !== after[f]);
    if (changed.length === 0) {
      tx.audit({ entityType: 'patient', entityId: id, patientId: id, details: { changed: [] } });
      return q.toPatient(current);
    }
    const version = current.version + 1;
    await tx.db
      .updateTable('patients')
      .set({ ...row, version, updated_at: deps.clock.now(), updated_by: actor.userId })
      .where('id', '=', id)
      .execute();
    await tx.db
      .insertInto('patient_versions')
      .values({ clinic_id: actor.clinicId, patient_id: id, version, data: JSON.stringify(after), changed_fields: changed, changed_by: actor.userId })
      .execute();
    tx.audit({ entityType: 'patient', entityId: id, patientId: id, details: { changed } });
    tx.emit('patient.changed', id);
    return q.toPatient((await q.findPatient(tx.db, id))!);
  });
}

/** Search by any part of a name (any script, accents and case ignored), phone, record number or national id. */
export async function searchPatients(deps: PatientDeps, actor: Actor, text: string | undefined, limit = 20): Promise<PatientSummary[]> {
  const folded = foldForSearch(text ?? '');
  return writeTx(deps, actor, 'patient.search', async (tx) => {
    tx.audit({ entityType: 'patient', details: { length: folded.length } });
    if (!folded) return (await q.recentPatients(tx.db, limit)).map(q.toSummary);
    const rows = await q.searchPatients(tx.db, q.searchTermsOf(folded), limit);
    return rows.map(q.toSummary);
  });
}

/** Every version of a patient's demographics, newest first, with who changed what. */
export async function patientHistory(deps: PatientDeps, actor: Actor, id: string) {
  return writeTx(deps, actor, 'patient.history', async (tx) => {
    if (!(await q.findPatient(tx.db, id))) throw new AppError('not_found', 'No such patient.');
    tx.audit({ entityType: 'patient', entityId: id, patientId: id });
    const rows = await q.patientVersions(tx.db, id);
    return rows.map((r) => ({
      version: r.version,
      changedAt: r.changed_at.toISOString(),
      changedBy: r.display_name,
      changedFields: r.changed_fields,
      data: r.data,
    }));
  });
}
