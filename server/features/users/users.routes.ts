import { Type } from 'typebox';
import { Ok, IdParams } from '../../../common/schema.ts';
import { CreateStaffBody, ResetPasswordBody, StaffList, StaffMember, UpdateStaffBody } from '../../../common/staff.ts';
import type { TxDeps } from '../../events/transaction.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import * as staff from './users.service.ts';

const StaffQuery = Type.Object({ role: Type.Optional(Type.Union([Type.Literal('doctor'), Type.Literal('secretary'), Type.Literal('admin'), Type.Literal('lab')])) }, { additionalProperties: false });

export function usersRoutes(app: TypedApp, deps: TxDeps): void {
  app.get(
    '/api/staff',
    { config: { access: { permission: 'staff.read' } }, schema: { querystring: StaffQuery, response: responses(200, StaffList) } },
    async (request) => ({ items: await staff.listStaff(deps, requireActor(request), request.query.role) }),
  );
  app.post(
    '/api/staff',
    { config: { access: { permission: 'staff.manage' } }, schema: { body: CreateStaffBody, response: responses(201, StaffMember) } },
    async (request, reply) => reply.status(201).send(await staff.createStaff(deps, requireActor(request), request.body)),
  );
  app.patch(
    '/api/staff/:id',
    { config: { access: { permission: 'staff.manage' } }, schema: { params: IdParams, body: UpdateStaffBody, response: responses(200, StaffMember) } },
    async (request) => staff.updateStaff(deps, requireActor(request), request.params.id, request.body),
  );
  app.post(
    '/api/staff/:id/password',
    { config: { access: { permission: 'staff.manage' } }, schema: { params: IdParams, body: ResetPasswordBody, response: responses(200, Ok) } },
    async (request) => {
      await staff.resetPassword(deps, requireActor(request), request.params.id, request.body.password);
      return { ok: true as const };
    },
  );
}
