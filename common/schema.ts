import { Type } from 'typebox';

/** Shared building blocks for wire schemas: every string has a length limit, every object is closed. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
export const IsoDate = Type.String({ format: 'date', maxLength: 10 });
export const IsoDateTime = Type.String({ format: 'date-time', maxLength: 40 });
export const Text = (maxLength: number, minLength = 0) => Type.String({ maxLength, minLength });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const Ok = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });
export const LANGUAGES = ['en', 'ar'] as const;
export const Language = Type.Enum(LANGUAGES);
export type LanguageCode = (typeof LANGUAGES)[number];
