import type { Kysely } from 'kysely';
import type { DoctorSchedule, StaffMember } from '../../../common/staff.ts';
import type { Database } from '../../db/schema.ts';

export async function listStaff(db: Kysely<Database>, onlyRole?: string): Promise<StaffMember[]> {
  let query = db
    .selectFrom('users')
    .leftJoin('doctor_profiles', 'doctor_profiles.user_id', 'users.id')
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.active',
      'users.grants',
      'users.language',
      'doctor_profiles.slot_minutes',
      'doctor_profiles.consultation_type',
    ])
    .orderBy('users.display_name');
  if (onlyRole) query = query.where('users.role', '=', onlyRole as 'doctor');
  const users = await query.execute();
  const blocks = await db
    .selectFrom('doctor_schedule_blocks')
    .select(['doctor_id', 'weekday', 'start_time', 'end_time'])
    .orderBy('weekday')
    .orderBy('start_time')
    .execute();
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    active: u.active,
    grants: u.grants as StaffMember['grants'],
    language: u.language,
    schedule:
      u.slot_minutes === null
        ? null
        : {
            slotMinutes: u.slot_minutes,
            consultationType: u.consultation_type as DoctorSchedule['consultationType'],
            blocks: blocks
              .filter((b) => b.doctor_id === u.id)
              .map((b) => ({ weekday: b.weekday, start: b.start_time.slice(0, 5), end: b.end_time.slice(0, 5) })),
          },
  }));
}

export async function replaceSchedule(db: Kysely<Database>, clinicId: string, doctorId: string, schedule: DoctorSchedule) {
  await db
    .insertInto('doctor_profiles')
    .values({ user_id: doctorId, clinic_id: clinicId, consultation_type: schedule.consultationType, slot_minutes: schedule.slotMinutes })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ consultation_type: schedule.consultationType, slot_minutes: schedule.slotMinutes }),
    )
    .execute();
  await db.deleteFrom('doctor_schedule_blocks').where('doctor_id', '=', doctorId).execute();
  if (schedule.blocks.length > 0) {
    await db
      .insertInto('doctor_schedule_blocks')
      .values(schedule.blocks.map((b) => ({ clinic_id: clinicId, doctor_id: doctorId, weekday: b.weekday, start_time: b.start, end_time: b.end })))
      .execute();
  }
}
