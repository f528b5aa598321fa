import { IdParams } from '../../../common/schema.ts';
import { Board, CheckInBody, Visit, VisitActionBody, VisitHistory, type VisitAction } from '../../../common/visits.ts';
import type { Permission } from '../../../common/permissions.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import * as visits from './visits.service.ts';

/** Each named action has its own address and its own permission: there is no free status field. */
const ACTION_ROUTES: { path: string; action: VisitAction; permission: Permission }[] = [
  { path: 'call', action: 'call', permission: 'visits.consult' },
  { path: 'complete', action: 'complete', permission: 'visits.consult' },
  { path: 'cancel', action: 'cancel', permission: 'visits.frontdesk_exit' },
  { path: 'left-without-being-seen', action: 'left_without_being_seen', permission: 'visits.frontdesk_exit' },
];

export function visitsRoutes(app: TypedApp, deps: visits.VisitDeps): void {
  app.post(
    '/api/visits',
    { config: { access: { permission: 'visits.checkin' } }, schema: { body: CheckInBody, response: responses(201, Visit) } },
    async (request, reply) => reply.status(201).send(await visits.checkIn(deps, requireActor(request), request.body)),
  );
  app.get('/api/visits/board', { config: { access: { permission: 'visits.board' } }, schema: { response: responses(200, Board) } }, async (request) =>
    visits.board(deps, requireActor(request)),
  );
  app.get('/api/visits/my-queue', { config: { access: { permission: 'visits.consult' } }, schema: { response: responses(200, Board) } }, async (request) =>
    visits.myQueue(deps, requireActor(request)),
  );
  app.post('/api/visits/call-next', { config: { access: { permission: 'visits.consult' } }, schema: { response: responses(200, Visit) } }, async (request) =>
    visits.callNext(deps, requireActor(request)),
  );
  app.get(
    '/api/visits/:id',
    { config: { access: { permission: 'visits.read' } }, schema: { params: IdParams, response: responses(200, Visit) } },
    async (request) => visits.getVisit(deps, requireActor(request), request.params.id),
  );
  app.get(
    '/api/visits/:id/history',
    { config: { access: { permission: 'visits.read' } }, schema: { params: IdParams, response: responses(200, VisitHistory) } },
    async (request) => ({ items: await visits.getVisitHistory(deps, requireActor(request), request.params.id) }),
  );
  for (const { path, action, permission } of ACTION_ROUTES) {
    app.post(
      `/api/visits/:id/${path}`,
      { config: { access: { permission } }, schema: { params: IdParams, body: VisitActionBody, response: responses(200, Visit) } },
      async (request) => visits.transition(deps, requireActor(request), request.params.id, action, request.body?.reason),
    );
  }
}
