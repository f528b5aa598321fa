import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Patient, PatientInput, PatientSummary, PatientUpdate } from '../../../common/patients.ts';
import { api, query } from '../../api/client.ts';

export interface DuplicateCandidate {
  patient: PatientSummary;
  reasons: string[];
}

export interface PatientVersion {
  version: number;
  changedAt: string;
  changedBy: string;
  changedFields: string[];
  data: Record<string, string | null>;
}

export function usePatientSearch(text: string, limit = 20) {
  return useQuery({
    queryKey: ['patients', 'search', text, limit],
    queryFn: () => api<{ items: PatientSummary[] }>('GET', `/api/patients${query({ q: text, limit })}`),
    placeholderData: keepPreviousData,
  });
}

export function usePatient(id: string | null) {
  return useQuery({ queryKey: ['patients', 'detail', id], queryFn: () => api<Patient>('GET', `/api/patients/${id}`), enabled: Boolean(id) });
}

export function usePatientHistory(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['patients', 'history', id],
    queryFn: () => api<{ items: PatientVersion[] }>('GET', `/api/patients/${id}/history`),
    enabled,
  });
}

export function findDuplicates(body: PatientInput) {
  return api<{ items: DuplicateCandidate[] }>('POST', '/api/patients/duplicates', body);
}

export function registerPatient(body: PatientInput) {
  return api<Patient>('POST', '/api/patients', body);
}

export function updatePatient(id: string, body: PatientUpdate) {
  return api<Patient>('PUT', `/api/patients/${id}`, body);
}

/** The name to show in the interface language: Arabic script in Arabic when the patient has it. */
/** The name of the patient on a visit or appointment, in the script that suits the interface language. */
export function rowPatientName(row: { patientName: string; patientNameArabic: string | null }, language: string): string {
  return language === 'ar' && row.patientNameArabic ? row.patientNameArabic : row.patientName;
}

export function patientName(patient: { displayName: string; displayNameArabic: string | null }, language: string): string {
  return language === 'ar' && patient.displayNameArabic ? patient.displayNameArabic : patient.displayName;
}

function fullName(given: string | null, family: string | null): string | null {
  return [given, family].filter(Boolean).join(' ') || null;
}

/** A full record's name in the interface language, and the other script's name when it has one. */
export function patientNames(patient: Patient, language: string): { main: string; other: string | null } {
  const latin = fullName(patient.givenNameLatin, patient.familyNameLatin);
  const arabic = fullName(patient.givenNameArabic, patient.familyNameArabic);
  const main = (language === 'ar' ? arabic ?? latin : latin ?? arabic) ?? patient.mrn;
  return { main, other: main === latin ? arabic : latin };
}

/** Whole years of age on `today`. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
