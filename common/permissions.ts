/**
 * Roles, permissions and the one matrix between them. The server decides with it; the web only uses it
 * to hide what a person may not do.
 */
export const ROLES = ['admin', 'secretary', 'doctor', 'lab'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'session.self',
  'staff.read',
  'staff.manage',
  'clinic.settings',
  'patients.read',
  'patients.write',
  'patients.history',
  'appointments.read',
  'appointments.write',
  'visits.read',
  'visits.board',
  'visits.checkin',
  'visits.frontdesk_exit',
  'visits.consult',
  'audit.read',
  'billing.read',
  'billing.collect',
  'billing.waive',
  'billing.refund',
  'billing.prices',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const everyone: Permission[] = ['session.self', 'staff.read'];

/** The role → permission matrix: the single source of truth. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: [
    ...everyone,
    'staff.manage',
    'clinic.settings',
    'patients.read',
    'patients.history',
    'visits.read',
    'visits.board',
    'appointments.read',
    'audit.read',
    'billing.read',
    'billing.waive',
    'billing.refund',
    'billing.prices',
  ],
  secretary: [
    ...everyone,
    'patients.read',
    'patients.write',
    'patients.history',
    'appointments.read',
    'appointments.write',
    'visits.read',
    'visits.board',
    'visits.checkin',
    'visits.frontdesk_exit',
    'billing.read',
    'billing.collect',
  ],
  doctor: [...everyone, 'patients.read', 'appointments.read', 'appointments.write', 'visits.read', 'visits.consult'],
  lab: [...everyone],
};

export function can(role: Role, permission: Permission, grants: readonly string[] = []): boolean {
  return ROLE_PERMISSIONS[role].includes(permission) || ((ASSIGNABLE_PERMISSIONS as readonly string[]).includes(permission) && grants.includes(permission));
}

/**
 * Permissions an admin may give one staff member on top of their role. Only these: the matrix stays the
 * rule, and these are the exceptions a clinic asked for.
 */
export const ASSIGNABLE_PERMISSIONS = ['billing.waive'] as const satisfies readonly Permission[];
export type AssignablePermission = (typeof ASSIGNABLE_PERMISSIONS)[number];
