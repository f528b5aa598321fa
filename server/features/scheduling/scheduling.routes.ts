import { AppointmentList, AppointmentQuery, BookBody, CancelAppointmentBody, NoShowBody, RescheduleBody, SlotList, SlotQuery, Appointment } from '../../../common/scheduling.ts';
import { IdParams } from '../../../common/schema.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import * as scheduling from './scheduling.service.ts';

export function schedulingRoutes(app: TypedApp, deps: scheduling.SchedulingDeps): void {
  app.get(
    '/api/appointments',
    { config: { access: { permission: 'appointments.read' } }, schema: { querystring: AppointmentQuery, response: responses(200, AppointmentList) } },
    async (request) => ({ items: await scheduling.listAppointments(deps, requireActor(request), request.query) }),
  );
  app.get(
    '/api/appointments/slots',
    { config: { access: { permission: 'appointments.read' } }, schema: { querystring: SlotQuery, response: responses(200, SlotList) } },
    async (request) => scheduling.listSlots(deps, requireActor(request), request.query.doctorId, request.query.date),
  );
  app.post(
    '/api/appointments',
    { config: { access: { permission: 'appointments.write' } }, schema: { body: BookBody, response: responses(201, Appointment) } },
    async (request, reply) => reply.status(201).send(await scheduling.book(deps, requireActor(request), request.body)),
  );
  app.post(
    '/api/appointments/:id/reschedule',
    { config: { access: { permission: 'appointments.write' } }, schema: { params: IdParams, body: RescheduleBody, response: responses(200, Appointment) } },
    async (request) => scheduling.reschedule(deps, requireActor(request), request.params.id, request.body),
  );
  app.post(
    '/api/appointments/:id/cancel',
    { config: { access: { permission: 'appointments.write' } }, schema: { params: IdParams, body: CancelAppointmentBody, response: responses(200, Appointment) } },
    async (request) => scheduling.closeAppointment(deps, requireActor(request), request.params.id, 'cancelled', request.body),
  );
  app.post(
    '/api/appointments/:id/no-show',
    { config: { access: { permission: 'appointments.write' } }, schema: { params: IdParams, body: NoShowBody, response: responses(200, Appointment) } },
    async (request) => scheduling.closeAppointment(deps, requireActor(request), request.params.id, 'no_show', request.body),
  );
}
