import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Text, Uuid } from './schema.ts';

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export const Sex = Type.Enum(SEXES);

const OptionalText = (max: number) => Type.Optional(Type.Union([Text(max), Type.Null()]));
const Phone = Type.String({ pattern: '^\\+?[0-9٠-٩ ()-]{6,24}$', maxLength: 24 });
const NationalId = Type.String({ pattern: '^[A-Za-z0-9-]{4,24}$', maxLength: 24 });

const demographicFields = {
  givenNameLatin: OptionalText(80),
  familyNameLatin: OptionalText(80),
  givenNameArabic: OptionalText(80),
  familyNameArabic: OptionalText(80),
  sex: Sex,
  birthDate: IsoDate,
  phone: Phone,
  nationalId: Type.Optional(Type.Union([NationalId, Type.Null()])),
  address: OptionalText(300),
  emergencyContactName: OptionalText(120),
  emergencyContactPhone: Type.Optional(Type.Union([Phone, Type.Null()])),
  frontDeskNotes: OptionalText(1000),
};

export const PatientInput = Type.Object(
  { ...demographicFields, acknowledgeDuplicates: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type PatientInput = Static<typeof PatientInput>;

export const PatientUpdate = Type.Object(
  { ...demographicFields, version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type PatientUpdate = Static<typeof PatientUpdate>;

const Nullable = (max: number) => Type.Union([Text(max), Type.Null()]);

export const Patient = Type.Object(
  {
    id: Uuid,
    mrn: Text(20),
    givenNameLatin: Nullable(80),
    familyNameLatin: Nullable(80),
    givenNameArabic: Nullable(80),
    familyNameArabic: Nullable(80),
    sex: Sex,
    birthDate: IsoDate,
    phone: Text(24),
    nationalId: Nullable(24),
    address: Nullable(300),
    emergencyContactName: Nullable(120),
    emergencyContactPhone: Nullable(24),
    frontDeskNotes: Nullable(1000),
    version: Type.Integer(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  },
  { additionalProperties: false },
);
export type Patient = Static<typeof Patient>;

export const PatientSummary = Type.Object(
  {
    id: Uuid,
    mrn: Text(20),
    displayName: Text(200),
    displayNameArabic: Nullable(200),
    sex: Sex,
    birthDate: IsoDate,
    phone: Text(24),
  },
  { additionalProperties: false },
);
export type PatientSummary = Static<typeof PatientSummary>;

export const PatientSearchQuery = Type.Object(
  { q: Type.Optional(Text(100)), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })) },
  { additionalProperties: false },
);
export const PatientList = Type.Object({ items: Type.Array(PatientSummary) }, { additionalProperties: false });

export const DuplicateCandidates = Type.Object(
  { items: Type.Array(Type.Object({ patient: PatientSummary, reasons: Type.Array(Text(20)) }, { additionalProperties: false })) },
  { additionalProperties: false },
);

export const PatientVersion = Type.Object(
  {
    version: Type.Integer(),
    changedAt: IsoDateTime,
    changedBy: Text(120),
    changedFields: Type.Array(Text(40)),
    data: Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export const PatientHistory = Type.Object({ items: Type.Array(PatientVersion) }, { additionalProperties: false });

/** Fields compared and versioned when demographics change. */
export const DEMOGRAPHIC_FIELDS = Object.keys(demographicFields) as (keyof typeof demographicFields)[];

const ARABIC_LETTER_FOLDS: Record<string, string> = { 'ة': 'ه', 'ى': 'ي', 'ـ': '' };

/**
 * Folds text for search: case, Latin accents, Arabic diacritics and hamza forms, letter variants that
 * people type interchangeably, and Arabic-Indic digits. Stored and searched text use the same fold.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ةىـ]/g, (c) => ARABIC_LETTER_FOLDS[c] ?? c)
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Digits only, so "+962 7 9123-4567" and "0791234567" can be compared by their tails. */
export function phoneDigits(phone: string): string {
  return foldForSearch(phone).replace(/\D/g, '');
}

/**
 * The part of a phone number that stays the same however it is written: without the trunk "0" or the
 * country code, so "0791234567", "+962 79 123 4567" and "00962791234567" all give "791234567".
 */
export function phoneTail(digits: string): string {
  return digits.replace(/^0+/, '').slice(-9);
}
