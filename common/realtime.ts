import type { Permission } from './permissions.ts';

/** What a browser can be told happened. Events carry ids only; the browser refetches through the API. */
export const EVENT_TYPES = ['patient.changed', 'appointment.changed', 'visit.changed', 'staff.changed', 'billing.changed'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Who may receive each kind of event: checked again for every delivery. */
export const EVENT_PERMISSION: Record<EventType, Permission> = {
  'patient.changed': 'patients.read',
  'appointment.changed': 'appointments.read',
  'visit.changed': 'visits.read',
  'staff.changed': 'staff.read',
  // The entity is the patient whose charges, payments or invoices changed.
  'billing.changed': 'billing.read',
};

export interface RealtimeEvent {
  id: string;
  type: EventType;
  entityId: string;
}
