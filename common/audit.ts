import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Text, Uuid } from './schema.ts';

export const AUDIT_OUTCOMES = ['success', 'refused', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AuditEntry = Type.Object(
  {
    id: Text(20),
    at: IsoDateTime,
    actorId: Type.Union([Uuid, Type.Null()]),
    actorName: Type.Union([Text(120), Type.Null()]),
    ip: Type.Union([Text(64), Type.Null()]),
    action: Text(60),
    entityType: Type.Union([Text(40), Type.Null()]),
    entityId: Type.Union([Uuid, Type.Null()]),
    patientId: Type.Union([Uuid, Type.Null()]),
    outcome: Type.Enum(AUDIT_OUTCOMES),
    details: Type.Union([Type.Record(Type.String({ maxLength: 40 }), Type.Unknown()), Type.Null()]),
  },
  { additionalProperties: false },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Uuid),
    patientId: Type.Optional(Uuid),
    action: Type.Optional(Text(60)),
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', maxLength: 18 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
export const AuditPage = Type.Object(
  { items: Type.Array(AuditEntry), nextBefore: Type.Union([Text(20), Type.Null()]) },
  { additionalProperties: false },
);
