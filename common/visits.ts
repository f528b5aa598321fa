import { Type, type Static } from 'typebox';
import { IsoDateTime, Text, Uuid } from './schema.ts';

export const VISIT_STATUSES = [
  'awaiting_payment',
  'waiting',
  'in_consultation',
  'awaiting_results',
  'completed',
  'cancelled',
  'left_without_being_seen',
] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];
export const VisitStatusSchema = Type.Enum(VISIT_STATUSES);

export const TERMINAL_VISIT_STATUSES: readonly VisitStatus[] = ['completed', 'cancelled', 'left_without_being_seen'];
export const ACTIVE_VISIT_STATUSES: readonly VisitStatus[] = VISIT_STATUSES.filter(
  (s) => !TERMINAL_VISIT_STATUSES.includes(s),
);

/** The named actions that move a visit, and the statuses each may start from. */
export const VISIT_ACTIONS = {
  call: { from: ['waiting'], to: 'in_consultation' },
  complete: { from: ['in_consultation'], to: 'completed' },
  cancel: { from: ['awaiting_payment', 'waiting'], to: 'cancelled' },
  left_without_being_seen: { from: ['awaiting_payment', 'waiting'], to: 'left_without_being_seen' },
} as const satisfies Record<string, { from: readonly VisitStatus[]; to: VisitStatus }>;
export type VisitAction = keyof typeof VISIT_ACTIONS;

export function nextVisitStatus(from: VisitStatus, action: VisitAction): VisitStatus | null {
  const rule = VISIT_ACTIONS[action];
  return (rule.from as readonly VisitStatus[]).includes(from) ? rule.to : null;
}

export const Visit = Type.Object(
  {
    id: Uuid,
    patientId: Uuid,
    patientName: Text(200),
    patientNameArabic: Type.Union([Text(200), Type.Null()]),
    patientMrn: Text(20),
    doctorId: Type.Union([Uuid, Type.Null()]),
    doctorName: Type.Union([Text(120), Type.Null()]),
    appointmentId: Type.Union([Uuid, Type.Null()]),
    queueNumber: Type.Integer(),
    status: VisitStatusSchema,
    checkedInAt: IsoDateTime,
    statusChangedAt: IsoDateTime,
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type Visit = Static<typeof Visit>;

export const Board = Type.Object(
  {
    waitThresholdMinutes: Type.Integer(),
    serverTime: IsoDateTime,
    items: Type.Array(Visit),
  },
  { additionalProperties: false },
);
export type Board = Static<typeof Board>;

export const CheckInBody = Type.Object(
  {
    patientId: Type.Optional(Uuid),
    appointmentId: Type.Optional(Uuid),
    doctorId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CheckInBody = Static<typeof CheckInBody>;

export const VisitActionBody = Type.Object(
  { reason: Type.Optional(Text(300)) },
  { additionalProperties: false },
);

export const VisitHistoryEntry = Type.Object(
  {
    fromStatus: Type.Union([VisitStatusSchema, Type.Null()]),
    toStatus: VisitStatusSchema,
    at: IsoDateTime,
    by: Text(120),
    reason: Type.Union([Text(300), Type.Null()]),
  },
  { additionalProperties: false },
);
export const VisitHistory = Type.Object({ items: Type.Array(VisitHistoryEntry) }, { additionalProperties: false });
