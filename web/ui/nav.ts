import { IconCalendarEvent, IconCash, IconHistory, IconListNumbers, IconSettings, IconStethoscope, IconTag, IconUsers, IconUsersGroup } from '@tabler/icons-react';
import { can, type Permission, type Role } from '../../common/permissions.ts';

export interface NavItem {
  path: string;
  labelKey: string;
  permission: Permission;
  icon: typeof IconUsers;
}

/** The screens in menu order; each shows only to roles holding its permission. */
export const NAV_ITEMS: NavItem[] = [
  { path: '/queue', labelKey: 'nav.queue', permission: 'visits.consult', icon: IconStethoscope },
  { path: '/board', labelKey: 'nav.board', permission: 'visits.board', icon: IconListNumbers },
  { path: '/patients', labelKey: 'nav.patients', permission: 'patients.read', icon: IconUsers },
  { path: '/appointments', labelKey: 'nav.appointments', permission: 'appointments.read', icon: IconCalendarEvent },
  { path: '/billing', labelKey: 'nav.billing', permission: 'billing.read', icon: IconCash },
  { path: '/prices', labelKey: 'nav.prices', permission: 'billing.prices', icon: IconTag },
  { path: '/staff', labelKey: 'nav.staff', permission: 'staff.manage', icon: IconUsersGroup },
  { path: '/settings', labelKey: 'nav.settings', permission: 'clinic.settings', icon: IconSettings },
  { path: '/audit', labelKey: 'nav.audit', permission: 'audit.read', icon: IconHistory },
];

export function navFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => can(role, item.permission));
}

export function homeFor(role: Role): string {
  return navFor(role)[0]?.path ?? '/welcome';
}
