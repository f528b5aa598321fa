import { AuditPage, AuditQuery } from '../../../common/audit.ts';
import type { TxDeps } from '../../events/transaction.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import { searchAudit } from './audit.service.ts';

export function auditRoutes(app: TypedApp, deps: TxDeps): void {
  app.get(
    '/api/audit',
    { config: { access: { permission: 'audit.read' } }, schema: { querystring: AuditQuery, response: responses(200, AuditPage) } },
    async (request) => searchAudit(deps, requireActor(request), request.query),
  );
}
