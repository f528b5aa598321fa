import { Type, type Static } from 'typebox';
import { Language, Text } from './schema.ts';

export const ClinicSettings = Type.Object(
  {
    name: Text(200, 1),
    timeZone: Text(64, 1),
    currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }),
    defaultLanguage: Language,
    waitThresholdMinutes: Type.Integer({ minimum: 1, maximum: 600 }),
  },
  { additionalProperties: false },
);
export type ClinicSettings = Static<typeof ClinicSettings>;
export const ClinicSettingsUpdate = Type.Partial(ClinicSettings, { additionalProperties: false });
