import { ClinicSettings, ClinicSettingsUpdate } from '../../../common/clinic.ts';
import type { TxDeps } from '../../events/transaction.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import { clinicSettings, updateClinicSettings } from './clinic.service.ts';

export function clinicRoutes(app: TypedApp, deps: TxDeps): void {
  app.get('/api/clinic', { config: { access: { permission: 'session.self' } }, schema: { response: responses(200, ClinicSettings) } }, async (request) =>
    clinicSettings(deps, requireActor(request)),
  );
  app.patch(
    '/api/clinic',
    { config: { access: { permission: 'clinic.settings' } }, schema: { body: ClinicSettingsUpdate, response: responses(200, ClinicSettings) } },
    async (request) => updateClinicSettings(deps, requireActor(request), request.body),
  );
}
