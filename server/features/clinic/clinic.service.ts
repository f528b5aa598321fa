import { AppError } from '../../../common/errors.ts';
import type { ClinicSettings } from '../../../common/clinic.ts';
import { localDate, type Clock } from '../../clock.ts';
import { inClinic, writeTx, type Actor, type TxDeps } from '../../events/transaction.ts';
import { isValidTimeZone } from '../auth/auth.service.ts';

interface ClinicDeps extends TxDeps {
  clock: Clock;
}

export async function clinicSettings(deps: TxDeps, actor: Actor): Promise<ClinicSettings> {
  const row = await inClinic(deps.db, actor.clinicId, (conn) =>
    conn.selectFrom('clinics').select(['name', 'time_zone', 'currency', 'default_language', 'wait_threshold_minutes']).executeTakeFirstOrThrow(),
  );
  return {
    name: row.name,
    timeZone: row.time_zone,
    currency: row.currency.trim(),
    defaultLanguage: row.default_language as ClinicSettings['defaultLanguage'],
    waitThresholdMinutes: row.wait_threshold_minutes,
  };
}

/** Today's date in the clinic's own time zone: the day queues and schedules belong to. */
export async function clinicToday(deps: ClinicDeps, actor: Actor): Promise<string> {
  const { timeZone } = await clinicSettings(deps, actor);
  return localDate(deps.clock.now(), timeZone);
}

export async function updateClinicSettings(deps: TxDeps, actor: Actor, patch: Partial<ClinicSettings>): Promise<ClinicSettings> {
  if (patch.timeZone && !isValidTimeZone(patch.timeZone)) throw new AppError('validation_failed', 'Unknown time zone.', { fields: [{ field: 'timeZone' }] });
  await writeTx(deps, actor, 'clinic.settings', async (tx) => {
    await tx.db
      .updateTable('clinics')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
        ...(patch.currency !== undefined && { currency: patch.currency }),
        ...(patch.defaultLanguage !== undefined && { default_language: patch.defaultLanguage }),
        ...(patch.waitThresholdMinutes !== undefined && { wait_threshold_minutes: patch.waitThresholdMinutes }),
      })
      .where('id', '=', actor.clinicId)
      .execute();
    tx.audit({ entityType: 'clinic', entityId: actor.clinicId, details: { changed: Object.keys(patch) } });
  });
  return clinicSettings(deps, actor);
}
