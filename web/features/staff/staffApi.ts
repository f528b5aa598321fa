import { useQuery } from '@tanstack/react-query';
import type { Role } from '../../../common/permissions.ts';
import type { CreateStaffBody, StaffMember, UpdateStaffBody } from '../../../common/staff.ts';
import { api, query } from '../../api/client.ts';

export function useStaff(role?: Role) {
  return useQuery({
    queryKey: ['staff', role ?? 'all'],
    queryFn: () => api<{ items: StaffMember[] }>('GET', `/api/staff${query({ role })}`),
  });
}

/** Active doctors, for choosing whom a patient sees. */
export function useDoctors() {
  const staff = useStaff('doctor');
  return { ...staff, doctors: (staff.data?.items ?? []).filter((s) => s.active) };
}

export const createStaff = (body: CreateStaffBody) => api<StaffMember>('POST', '/api/staff', body);
export const updateStaff = (id: string, body: UpdateStaffBody) => api<StaffMember>('PATCH', `/api/staff/${id}`, body);
export const resetPassword = (id: string, password: string) => api<{ ok: true }>('POST', `/api/staff/${id}/password`, { password });
