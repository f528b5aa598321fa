import { Type, type Static } from 'typebox';
import { ROLES } from './permissions.ts';
import { Language, Text, Uuid } from './schema.ts';

export const RoleSchema = Type.Enum(ROLES);

export const LoginBody = Type.Object(
  { username: Text(80, 1), password: Text(200, 1) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const Me = Type.Object(
  {
    userId: Uuid,
    clinicId: Uuid,
    clinicName: Text(200),
    timeZone: Text(64),
    currency: Text(3),
    username: Text(80),
    displayName: Text(120),
    role: RoleSchema,
    grants: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }),
    language: Language,
    idleMinutes: Type.Integer(),
  },
  { additionalProperties: false },
);
export type Me = Static<typeof Me>;

export const SetupStatus = Type.Object({ needsSetup: Type.Boolean() }, { additionalProperties: false });

/** Passwords: long enough to resist guessing, short enough to bound hashing work. */
export const Password = Type.String({ minLength: 10, maxLength: 200 });

export const Username = Type.String({ minLength: 3, maxLength: 80, pattern: '^[A-Za-z0-9._@-]+$' });

export const SetupBody = Type.Object(
  {
    clinicName: Text(200, 1),
    timeZone: Text(64, 1),
    currency: Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 }),
    defaultLanguage: Language,
    admin: Type.Object(
      { username: Username, displayName: Text(120, 1), password: Password },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SetupBody = Static<typeof SetupBody>;

export const ChangeLanguageBody = Type.Object({ language: Language }, { additionalProperties: false });
