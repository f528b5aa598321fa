import type { Patient, PatientInput } from '../../../common/patients.ts';
import { isRealDate } from '../../ui/time.ts';

export const PATIENT_FIELDS = [
  'givenNameLatin',
  'familyNameLatin',
  'givenNameArabic',
  'familyNameArabic',
  'sex',
  'birthDate',
  'phone',
  'nationalId',
  'address',
  'emergencyContactName',
  'emergencyContactPhone',
  'frontDeskNotes',
] as const;
export type PatientField = (typeof PATIENT_FIELDS)[number];
export type PatientFormValues = Record<PatientField, string>;
/** Translation keys of the problems found, by field. */
export type PatientFormErrors = Partial<Record<PatientField, string>>;

export const EMPTY_PATIENT: PatientFormValues = Object.fromEntries(PATIENT_FIELDS.map((f) => [f, ''])) as PatientFormValues;

export function valuesOf(patient: Patient): PatientFormValues {
  return Object.fromEntries(PATIENT_FIELDS.map((f) => [f, patient[f] ?? ''])) as PatientFormValues;
}

// The same rules the server applies, checked first so people see them as they type, in their language.
const LATIN_NAME = /^[\p{Script=Latin}][\p{Script=Latin}\p{M}' .-]*$/u;
const ARABIC_NAME = /^[\p{Script=Arabic}][\p{Script=Arabic}\p{M}' .-]*$/u;
const PHONE = /^\+?[0-9٠-٩ ()-]{6,24}$/;
const NATIONAL_ID = /^[A-Za-z0-9-]{4,24}$/;

function phoneDigitCount(phone: string): number {
  return phone.replace(/[^0-9٠-٩]/g, '').length;
}

export function validatePatient(values: PatientFormValues, today: string): PatientFormErrors {
  const v = Object.fromEntries(PATIENT_FIELDS.map((f) => [f, values[f].trim()])) as PatientFormValues;
  const errors: PatientFormErrors = {};
  const latin = v.givenNameLatin || v.familyNameLatin;
  const arabic = v.givenNameArabic || v.familyNameArabic;
  const latinComplete = Boolean(v.givenNameLatin && v.familyNameLatin);
  const arabicComplete = Boolean(v.givenNameArabic && v.familyNameArabic);
  // One complete pair, in either script, is enough; otherwise point at what is missing in the pair begun.
  if (!latinComplete && !arabicComplete) {
    if (!latin && !arabic) errors.givenNameLatin = 'patients.errors.nameRequired';
    if (latin) {
      if (!v.givenNameLatin) errors.givenNameLatin = 'patients.errors.givenRequired';
      if (!v.familyNameLatin) errors.familyNameLatin = 'patients.errors.familyRequired';
    }
    if (arabic) {
      if (!v.givenNameArabic) errors.givenNameArabic = 'patients.errors.givenRequired';
      if (!v.familyNameArabic) errors.familyNameArabic = 'patients.errors.familyRequired';
    }
  }
  for (const field of ['givenNameLatin', 'familyNameLatin'] as const) {
    if (v[field] && !LATIN_NAME.test(v[field])) errors[field] = 'patients.errors.latinOnly';
  }
  for (const field of ['givenNameArabic', 'familyNameArabic'] as const) {
    if (v[field] && !ARABIC_NAME.test(v[field])) errors[field] = 'patients.errors.arabicOnly';
  }
  if (!v.sex) errors.sex = 'patients.errors.sexRequired';
  if (!v.birthDate) errors.birthDate = 'patients.errors.birthDateRequired';
  else if (!isRealDate(v.birthDate)) errors.birthDate = 'patients.errors.birthDateInvalid';
  else if (v.birthDate > today) errors.birthDate = 'patients.errors.birthDateFuture';
  else if (v.birthDate < '1880-01-01') errors.birthDate = 'patients.errors.birthDateTooOld';
  if (!v.phone) errors.phone = 'patients.errors.phoneRequired';
  else if (!PHONE.test(v.phone) || phoneDigitCount(v.phone) < 6) errors.phone = 'patients.errors.phoneInvalid';
  if (v.nationalId && !NATIONAL_ID.test(v.nationalId)) errors.nationalId = 'patients.errors.nationalIdInvalid';
  if (v.emergencyContactPhone && (!PHONE.test(v.emergencyContactPhone) || phoneDigitCount(v.emergencyContactPhone) < 6)) {
    errors.emergencyContactPhone = 'patients.errors.phoneInvalid';
  }
  return errors;
}

/** The wire body: every field present, empty ones as null, so an edit can also clear a field. */
export function bodyOf(values: PatientFormValues): Omit<PatientInput, 'acknowledgeDuplicates'> {
  const text = (field: PatientField) => values[field].trim() || null;
  return {
    givenNameLatin: text('givenNameLatin'),
    familyNameLatin: text('familyNameLatin'),
    givenNameArabic: text('givenNameArabic'),
    familyNameArabic: text('familyNameArabic'),
    sex: values.sex as PatientInput['sex'],
    birthDate: values.birthDate,
    phone: values.phone.trim(),
    nationalId: text('nationalId'),
    address: text('address'),
    emergencyContactName: text('emergencyContactName'),
    emergencyContactPhone: text('emergencyContactPhone'),
    frontDeskNotes: values.frontDeskNotes.trim() || null,
  };
}
