import { Type, type Static } from 'typebox';
import { IsoDate, IsoDateTime, Text, Uuid } from './schema.ts';

export const APPOINTMENT_STATUSES = ['booked', 'checked_in', 'cancelled', 'no_show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
export const AppointmentStatusSchema = Type.Enum(APPOINTMENT_STATUSES);

export const Appointment = Type.Object(
  {
    id: Uuid,
    doctorId: Uuid,
    doctorName: Text(120),
    patientId: Uuid,
    patientName: Text(200),
    patientNameArabic: Type.Union([Text(200), Type.Null()]),
    patientMrn: Text(20),
    startsAt: IsoDateTime,
    endsAt: IsoDateTime,
    status: AppointmentStatusSchema,
    reason: Type.Union([Text(300), Type.Null()]),
    cancelReason: Type.Union([Text(300), Type.Null()]),
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type Appointment = Static<typeof Appointment>;
export const AppointmentList = Type.Object({ items: Type.Array(Appointment) }, { additionalProperties: false });

export const AppointmentQuery = Type.Object(
  {
    doctorId: Type.Optional(Uuid),
    patientId: Type.Optional(Uuid),
    from: IsoDate,
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
  },
  { additionalProperties: false },
);

export const BookBody = Type.Object(
  {
    doctorId: Uuid,
    patientId: Uuid,
    startsAt: IsoDateTime,
    reason: Type.Optional(Text(300)),
    acknowledgePatientConflict: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type BookBody = Static<typeof BookBody>;

export const RescheduleBody = Type.Object(
  { startsAt: IsoDateTime, version: Type.Integer({ minimum: 1 }), acknowledgePatientConflict: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const CancelAppointmentBody = Type.Object(
  { reason: Text(300, 1), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export const NoShowBody = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const SlotQuery = Type.Object({ doctorId: Uuid, date: IsoDate }, { additionalProperties: false });
export const SlotList = Type.Object(
  {
    slotMinutes: Type.Integer(),
    items: Type.Array(
      Type.Object({ startsAt: IsoDateTime, endsAt: IsoDateTime, free: Type.Boolean() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
