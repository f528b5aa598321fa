import type { AuditEntry } from '../../../common/audit.ts';
import { zonedInstant, addDays } from '../../clock.ts';
import { inClinic, type Actor, type TxDeps } from '../../events/transaction.ts';

export interface AuditFilter {
  actorId?: string;
  patientId?: string;
  action?: string;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

/** A page of the clinic's audit trail, newest first, filtered by person, patient, action and dates. */
export async function searchAudit(deps: TxDeps, actor: Actor, filter: AuditFilter): Promise<{ items: AuditEntry[]; nextBefore: string | null }> {
  const limit = filter.limit ?? 50;
  return inClinic(deps.db, actor.clinicId, async (conn) => {
    const { time_zone: timeZone } = await conn.selectFrom('clinics').select('time_zone').executeTakeFirstOrThrow();
    let query = conn
      .selectFrom('audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.actor_id')
      .select(['a.id', 'a.at', 'a.actor_id', 'u.display_name', 'a.ip', 'a.action', 'a.entity_type', 'a.entity_id', 'a.patient_id', 'a.outcome', 'a.details'])
      .orderBy('a.id', 'desc')
      .limit(limit + 1);
    if (filter.actorId) query = query.where('a.actor_id', '=', filter.actorId);
    if (filter.patientId) query = query.where('a.patient_id', '=', filter.patientId);
    if (filter.action) query = query.where('a.action', 'like', `${filter.action.replace(/[\\%_]/g, '\\$&')}%`);
    if (filter.from) query = query.where('a.at', '>=', zonedInstant(filter.from, '00:00', timeZone));
    if (filter.to) query = query.where('a.at', '<', zonedInstant(addDays(filter.to, 1), '00:00', timeZone));
    if (filter.before) query = query.where('a.id', '<', filter.before);
    const rows = await query.execute();
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actorId: r.actor_id,
        actorName: r.display_name,
        ip: r.ip,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        patientId: r.patient_id,
        outcome: r.outcome as AuditEntry['outcome'],
        details: r.details,
      })),
      nextBefore: rows.length > limit ? page[page.length - 1].id : null,
    };
  });
}
