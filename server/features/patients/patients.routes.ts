import {
  DuplicateCandidates,
  Patient,
  PatientHistory,
  PatientInput,
  PatientList,
  PatientSearchQuery,
  PatientUpdate,
} from '../../../common/patients.ts';
import { IdParams } from '../../../common/schema.ts';
import { requireActor } from '../../http/guard.ts';
import { responses, type TypedApp } from '../../http/routes.ts';
import * as patients from './patients.service.ts';

export function patientsRoutes(app: TypedApp, deps: patients.PatientDeps): void {
  app.get(
    '/api/patients',
    { config: { access: { permission: 'patients.read' } }, schema: { querystring: PatientSearchQuery, response: responses(200, PatientList) } },
    async (request) => ({ items: await patients.searchPatients(deps, requireActor(request), request.query.q, request.query.limit) }),
  );
  app.post(
    '/api/patients/duplicates',
    { config: { access: { permission: 'patients.write' } }, schema: { body: PatientInput, response: responses(200, DuplicateCandidates) } },
    async (request) => ({ items: await patients.findDuplicates(deps, requireActor(request), request.body) }),
  );
  app.post(
    '/api/patients',
    { config: { access: { permission: 'patients.write' } }, schema: { body: PatientInput, response: responses(201, Patient) } },
    async (request, reply) => reply.status(201).send(await patients.registerPatient(deps, requireActor(request), request.body)),
  );
  app.get(
    '/api/patients/:id',
    { config: { access: { permission: 'patients.read' } }, schema: { params: IdParams, response: responses(200, Patient) } },
    async (request) => patients.getPatient(deps, requireActor(request), request.params.id),
  );
  app.put(
    '/api/patients/:id',
    { config: { access: { permission: 'patients.write' } }, schema: { params: IdParams, body: PatientUpdate, response: responses(200, Patient) } },
    async (request) => patients.updatePatient(deps, requireActor(request), request.params.id, request.body),
  );
  app.get(
    '/api/patients/:id/history',
    { config: { access: { permission: 'patients.history' } }, schema: { params: IdParams, response: responses(200, PatientHistory) } },
    async (request) => ({ items: await patients.patientHistory(deps, requireActor(request), request.params.id) }),
  );
}
