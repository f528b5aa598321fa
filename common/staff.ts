import { Type, type Static } from 'typebox';
import { RoleSchema, Password, Username } from './auth.ts';
import { ASSIGNABLE_PERMISSIONS } from './permissions.ts';
import { Language, Text, Uuid } from './schema.ts';

export const CONSULTATION_TYPES = ['general', 'specialist', 'follow_up'] as const;
export const ConsultationType = Type.Enum(CONSULTATION_TYPES);

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', maxLength: 5 });

export const ScheduleBlock = Type.Object(
  { weekday: Type.Integer({ minimum: 0, maximum: 6 }), start: Time, end: Time },
  { additionalProperties: false },
);
export type ScheduleBlock = Static<typeof ScheduleBlock>;

export const DoctorSchedule = Type.Object(
  {
    slotMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
    consultationType: ConsultationType,
    blocks: Type.Array(ScheduleBlock, { maxItems: 28 }),
  },
  { additionalProperties: false },
);
export type DoctorSchedule = Static<typeof DoctorSchedule>;

/** Extra permissions on top of the role: only those the matrix marks assignable. */
const Grants = Type.Array(Type.Enum(ASSIGNABLE_PERMISSIONS), { uniqueItems: true, maxItems: ASSIGNABLE_PERMISSIONS.length });

export const StaffMember = Type.Object(
  {
    id: Uuid,
    username: Text(80),
    displayName: Text(120),
    role: RoleSchema,
    active: Type.Boolean(),
    grants: Type.Array(Type.Enum(ASSIGNABLE_PERMISSIONS)),
    language: Language,
    schedule: Type.Union([DoctorSchedule, Type.Null()]),
  },
  { additionalProperties: false },
);
export type StaffMember = Static<typeof StaffMember>;
export const StaffList = Type.Object({ items: Type.Array(StaffMember) }, { additionalProperties: false });

export const CreateStaffBody = Type.Object(
  {
    username: Username,
    displayName: Text(120, 1),
    role: RoleSchema,
    password: Password,
    language: Type.Optional(Language),
    schedule: Type.Optional(DoctorSchedule),
    grants: Type.Optional(Grants),
  },
  { additionalProperties: false },
);
export type CreateStaffBody = Static<typeof CreateStaffBody>;

export const UpdateStaffBody = Type.Object(
  {
    displayName: Type.Optional(Text(120, 1)),
    role: Type.Optional(RoleSchema),
    active: Type.Optional(Type.Boolean()),
    schedule: Type.Optional(DoctorSchedule),
    grants: Type.Optional(Grants),
  },
  { additionalProperties: false },
);
export type UpdateStaffBody = Static<typeof UpdateStaffBody>;

export const ResetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
