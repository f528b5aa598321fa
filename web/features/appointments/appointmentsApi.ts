import { useQuery } from '@tanstack/react-query';
import type { Appointment, BookBody } from '../../../common/scheduling.ts';
import { api, query } from '../../api/client.ts';

export interface Slot {
  startsAt: string;
  endsAt: string;
  free: boolean;
}

export function useAppointments(params: { from: string; days?: number; doctorId?: string; patientId?: string }, enabled = true) {
  return useQuery({
    queryKey: ['appointments', params],
    queryFn: () => api<{ items: Appointment[] }>('GET', `/api/appointments${query(params)}`),
    enabled,
  });
}

export function useSlots(doctorId: string | null, date: string) {
  return useQuery({
    queryKey: ['slots', doctorId, date],
    queryFn: () => api<{ slotMinutes: number; items: Slot[] }>('GET', `/api/appointments/slots${query({ doctorId, date })}`),
    enabled: Boolean(doctorId),
  });
}

export const book = (body: BookBody) => api<Appointment>('POST', '/api/appointments', body);
export const reschedule = (id: string, body: { startsAt: string; version: number; acknowledgePatientConflict?: boolean }) =>
  api<Appointment>('POST', `/api/appointments/${id}/reschedule`, body);
export const cancelAppointment = (id: string, body: { reason: string; version: number }) => api<Appointment>('POST', `/api/appointments/${id}/cancel`, body);
export const markNoShow = (id: string, body: { version: number }) => api<Appointment>('POST', `/api/appointments/${id}/no-show`, body);
