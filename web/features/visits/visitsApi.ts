import { useQuery } from '@tanstack/react-query';
import type { Board, CheckInBody, Visit, VisitStatus } from '../../../common/visits.ts';
import { api } from '../../api/client.ts';

export function useBoard() {
  return useQuery({ queryKey: ['visits', 'board'], queryFn: () => api<Board>('GET', '/api/visits/board') });
}

export function useMyQueue() {
  return useQuery({ queryKey: ['visits', 'my-queue'], queryFn: () => api<Board>('GET', '/api/visits/my-queue') });
}

export const checkIn = (body: CheckInBody) => api<Visit>('POST', '/api/visits', body);
export const callNext = () => api<Visit>('POST', '/api/visits/call-next');
export type VisitActionPath = 'call' | 'complete' | 'cancel' | 'left-without-being-seen';
export const visitAction = (id: string, action: VisitActionPath, reason?: string) =>
  api<Visit>('POST', `/api/visits/${id}/${action}`, reason ? { reason } : {});

export const STATUS_COLORS: Record<VisitStatus, string> = {
  awaiting_payment: 'yellow',
  waiting: 'blue',
  in_consultation: 'teal',
  awaiting_results: 'grape',
  completed: 'gray',
  cancelled: 'red',
  left_without_being_seen: 'orange',
};
