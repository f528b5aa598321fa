import { randomUUID } from 'node:crypto';
import { AppError } from '../../../common/errors.ts';
import type { CreateStaffBody, DoctorSchedule, StaffMember, UpdateStaffBody } from '../../../common/staff.ts';
import { inClinic, violates, writeTx, type Actor, type TxDeps } from '../../events/transaction.ts';
import { hashPassword } from '../auth/passwords.ts';
import { revokeUserSessions } from '../auth/auth.queries.ts';
import * as q from './users.queries.ts';

export const DEFAULT_SCHEDULE: DoctorSchedule = {
  slotMinutes: 15,
  consultationType: 'general',
  blocks: [0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
};

function checkSchedule(schedule: DoctorSchedule) {
  for (const block of schedule.blocks) {
    if (block.end <= block.start) {
      throw new AppError('validation_failed', 'Each working period must end after it starts.', { fields: [{ field: 'schedule.blocks' }] });
    }
  }
  const sorted = [...schedule.blocks].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].weekday === sorted[i - 1].weekday && sorted[i].start < sorted[i - 1].end) {
      throw new AppError('validation_failed', 'Working periods on the same day must not overlap.', { fields: [{ field: 'schedule.blocks' }] });
    }
  }
}

/** Staff of the actor's clinic, with each doctor's weekly schedule. */
export async function listStaff(deps: TxDeps, actor: Actor, onlyRole?: string): Promise<StaffMember[]> {
  return inClinic(deps.db, actor.clinicId, (conn) => q.listStaff(conn, onlyRole));
}

/** Creates a staff account; usernames are unique across the installation. */
export async function createStaff(deps: TxDeps, actor: Actor, body: CreateStaffBody): Promise<StaffMember> {
  if (body.schedule) checkSchedule(body.schedule);
  if (body.schedule && body.role !== 'doctor') throw new AppError('validation_failed', 'Only doctors have a working schedule.');
  const id = randomUUID();
  const passwordHash = await hashPassword(body.password);
  return writeTx(deps, actor, 'staff.create', async (tx) => {
    try {
      await tx.db
        .insertInto('users')
        .values({
          id,
          clinic_id: actor.clinicId,
          username: body.username,
          display_name: body.displayName,
          role: body.role,
          password_hash: passwordHash,
          language: body.language ?? 'en',
          grants: [...(body.grants ?? [])],
          created_by: actor.userId,
        })
        .execute();
    } catch (error) {
      if (violates(error, 'users_username_key')) throw new AppError('username_taken', 'That username is already in use.');
      throw error;
    }
    if (body.role === 'doctor') await q.replaceSchedule(tx.db, actor.clinicId, id, body.schedule ?? DEFAULT_SCHEDULE);
    tx.audit({ entityType: 'user', entityId: id, details: { role: body.role } });
    tx.emit('staff.changed', id);
    return (await q.listStaff(tx.db)).find((s) => s.id === id)!;
  });
}

/**
 * Changes a staff account. Deactivating it or changing its role ends all its sessions at once, so the
 * person's next request is refused.
 */
export async function updateStaff(deps: TxDeps, actor: Actor, id: string, body: UpdateStaffBody): Promise<StaffMember> {
  if (body.schedule) checkSchedule(body.schedule);
  if (id === actor.userId && (body.active === false || (body.role && body.role !== actor.role))) {
    throw new AppError('unprocessable', 'You cannot deactivate yourself or change your own role.');
  }
  return writeTx(deps, actor, 'staff.update', async (tx) => {
    const current = await tx.db.selectFrom('users').select(['id', 'role', 'active']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new AppError('not_found', 'No such staff member.');
    const role = body.role ?? current.role;
    if (body.schedule && role !== 'doctor') throw new AppError('validation_failed', 'Only doctors have a working schedule.');
    await tx.db
      .updateTable('users')
      .set({
        ...(body.displayName !== undefined && { display_name: body.displayName }),
        ...(body.role !== undefined && { role: body.role }),
        ...(body.active !== undefined && { active: body.active }),
        ...(body.grants !== undefined && { grants: [...body.grants] }),
        version: (eb) => eb('version', '+', 1),
      })
      .where('id', '=', id)
      .execute();
    if (role === 'doctor' && (body.schedule || current.role !== 'doctor')) {
      await q.replaceSchedule(tx.db, actor.clinicId, id, body.schedule ?? DEFAULT_SCHEDULE);
    }
    const roleChanged = body.role !== undefined && body.role !== current.role;
    if (body.active === false || roleChanged) await revokeUserSessions(tx.db, id, roleChanged ? 'role_changed' : 'deactivated');
    tx.audit({ entityType: 'user', entityId: id, details: { changed: Object.keys(body), ...(body.grants && { grants: body.grants }) } });
    tx.emit('staff.changed', id);
    return (await q.listStaff(tx.db)).find((s) => s.id === id)!;
  });
}

/** Sets a new password for a staff member and ends their sessions. */
export async function resetPassword(deps: TxDeps, actor: Actor, id: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await writeTx(deps, actor, 'staff.reset_password', async (tx) => {
    const updated = await tx.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError('not_found', 'No such staff member.');
    await revokeUserSessions(tx.db, id, 'password_reset');
    tx.audit({ entityType: 'user', entityId: id });
    tx.emit('staff.changed', id);
  });
}
