import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE_VISIT_STATUSES, nextVisitStatus, type VisitAction, type VisitStatus } from '../../../common/visits.ts';
import { pinDay, registerPatient } from '../../test/factories.ts';
import { buildTestApp, type Session, type TestContext } from '../../test/harness.ts';

/**
 * Random sequences of queue actions, applied through the API by random staff, checked step by step
 * against a model built from common/visits.ts and, after every sequence, against the database itself.
 */

let t: TestContext;
beforeAll(async () => {
  t = await buildTestApp();
  pinDay(t);
});
afterAll(async () => t?.close());

type Step =
  | { kind: 'check_in'; patient: number; by: number; doctor: number | null }
  | { kind: 'action'; action: VisitAction; patient: number; visit: number; by: number };

const PATIENTS = 3;
const SECRETARIES = 2;
const DOCTORS = 2;

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('check_in' as const),
    patient: fc.nat(PATIENTS - 1),
    by: fc.nat(SECRETARIES + DOCTORS - 1),
    doctor: fc.option(fc.nat(DOCTORS - 1), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('action' as const),
    action: fc.constantFrom<VisitAction>('call', 'complete', 'cancel', 'left_without_being_seen'),
    patient: fc.nat(PATIENTS - 1),
    // Usually the patient's latest visit, sometimes an older, finished one.
    visit: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
    by: fc.nat(SECRETARIES + DOCTORS - 1),
  }),
);

const ROUTE: Record<VisitAction, string> = { call: 'call', complete: 'complete', cancel: 'cancel', left_without_being_seen: 'left-without-being-seen' };
const FRONT_DESK: VisitAction[] = ['cancel', 'left_without_being_seen'];

interface ModelVisit {
  id: string;
  status: VisitStatus;
  doctorId: string | null;
}

/** What the rules say should happen, or the refusal they call for. */
function expected(visit: ModelVisit, action: VisitAction, actor: Session, visits: ModelVisit[]): { status: number; code?: string; to?: VisitStatus } {
  const isDoctor = actor.user.role === 'doctor';
  if (FRONT_DESK.includes(action) ? isDoctor : !isDoctor) return { status: 403, code: 'forbidden' };
  const to = nextVisitStatus(visit.status, action);
  if (!to) return { status: 409, code: 'illegal_transition' };
  if (action === 'call' && visit.doctorId && visit.doctorId !== actor.user.id) return { status: 403, code: 'forbidden' };
  if (action === 'complete' && visit.doctorId !== actor.user.id) return { status: 403, code: 'forbidden' };
  if (action === 'call' && visits.some((v) => v.status === 'in_consultation' && v.doctorId === actor.user.id)) return { status: 409, code: 'doctor_busy' };
  return { status: 200, to };
}

describe('the visit state machine, driven at random', () => {
  it('never breaks a rule, whatever staff do in whatever order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), async (steps) => {
        const clinic = await t.createClinic();
        const staff: Session[] = [];
        for (let i = 0; i < SECRETARIES; i++) staff.push(await clinic.addUser('secretary'));
        for (let i = 0; i < DOCTORS; i++) staff.push(await clinic.addUser('doctor'));
        const doctors = staff.filter((s) => s.user.role === 'doctor');
        const patients: string[] = [];
        for (let i = 0; i < PATIENTS; i++) patients.push((await registerPatient(staff[0])).id);
        // Newest first, per patient.
        const visitsOf: ModelVisit[][] = patients.map(() => []);

        for (const s of steps) {
          const actor = staff[s.by];
          const all = visitsOf.flat();
          if (s.kind === 'check_in') {
            const doctorId = s.doctor === null ? undefined : doctors[s.doctor].user.id;
            const response = await actor.request('POST', '/api/visits', { patientId: patients[s.patient], ...(doctorId && { doctorId }) });
            const hasActive = visitsOf[s.patient].some((v) => ACTIVE_VISIT_STATUSES.includes(v.status));
            if (actor.user.role !== 'secretary') {
              expect(response.status).toBe(403);
            } else if (hasActive) {
              expect(response.status).toBe(409);
              expect(response.body.error.code).toBe('visit_already_active');
            } else {
              expect(response.status, JSON.stringify(response.body)).toBe(201);
              expect(response.body).toMatchObject({ status: 'waiting', doctorId: doctorId ?? null });
              visitsOf[s.patient].unshift({ id: response.body.id, status: 'waiting', doctorId: doctorId ?? null });
            }
            continue;
          }
          const visit = visitsOf[s.patient][Math.min(s.visit, visitsOf[s.patient].length - 1)];
          if (!visit) continue;
          const want = expected(visit, s.action, actor, all);
          const response = await actor.request('POST', `/api/visits/${visit.id}/${ROUTE[s.action]}`, {});
          expect({ status: response.status, code: response.body.error?.code }, `${s.action} on ${visit.status} by ${actor.user.role}`).toEqual({
            status: want.status,
            code: want.code,
          });
          if (want.to) {
            expect(response.body.status).toBe(want.to);
            expect(want.to).toBe(nextVisitStatus(visit.status, s.action));
            visit.status = want.to;
            if (s.action === 'call') visit.doctorId = actor.user.id;
            expect(response.body.doctorId).toBe(visit.doctorId);
          }
        }

        // The database agrees with the model, and its own rules held throughout.
        const { rows: stored } = await t.owner.query('SELECT id, patient_id, doctor_id, status FROM visits WHERE clinic_id = $1', [clinic.id]);
        const model = visitsOf.flat();
        expect(stored).toHaveLength(model.length);
        for (const v of model) expect(stored.find((r) => r.id === v.id)).toMatchObject({ status: v.status, doctor_id: v.doctorId });
        for (const patient of patients) {
          expect(stored.filter((r) => r.patient_id === patient && ACTIVE_VISIT_STATUSES.includes(r.status)).length).toBeLessThanOrEqual(1);
        }
        for (const doctor of doctors) {
          expect(stored.filter((r) => r.doctor_id === doctor.user.id && r.status === 'in_consultation').length).toBeLessThanOrEqual(1);
        }
        const { rows: history } = await t.owner.query('SELECT visit_id, from_status, to_status FROM visit_history WHERE clinic_id = $1 ORDER BY id', [clinic.id]);
        for (const v of stored) {
          const chain = history.filter((h) => h.visit_id === v.id);
          expect(chain[0]).toMatchObject({ from_status: null, to_status: 'waiting' });
          for (let i = 1; i < chain.length; i++) {
            expect(chain[i].from_status).toBe(chain[i - 1].to_status);
            const action = (Object.keys(ROUTE) as VisitAction[]).find((a) => nextVisitStatus(chain[i].from_status, a) === chain[i].to_status);
            expect(action, `${chain[i].from_status} → ${chain[i].to_status} is a named transition`).toBeDefined();
          }
          expect(chain[chain.length - 1].to_status).toBe(v.status);
        }
        // And the API's own history view tells the same story.
        const sample = stored[0];
        if (sample) {
          const view = await staff[0].request('GET', `/api/visits/${sample.id}/history`);
          expect(view.body.items.map((h: { toStatus: string }) => h.toStatus)).toEqual(history.filter((h) => h.visit_id === sample.id).map((h) => h.to_status));
        }
      }),
      { numRuns: 30 },
    );
    // A thousand-odd requests: generous room for a slow, shared machine.
  }, 180_000);
});
