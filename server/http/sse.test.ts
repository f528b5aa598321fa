import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../common/realtime.ts';
import { buildApp, type App } from '../app.ts';
import { createDb, type Db } from '../db/database.ts';
import { checkIn, pinDay, registerPatient } from '../test/factories.ts';
import { buildTestApp, type ClinicFixture, type Session, type TestContext } from '../test/harness.ts';
import { eventually, openEventStream, socketRequest, type EventStream } from '../test/sockets.ts';

let t: TestContext;
let base: string;
let clinic: ClinicFixture;
let secretary: Session;
let frontDesk: Session;
let doctor: Session;
let lab: Session;
const open: EventStream[] = [];

beforeAll(async () => {
  t = await buildTestApp();
  pinDay(t);
  base = await t.listen();
  clinic = await t.createClinic();
  secretary = await clinic.addUser('secretary');
  frontDesk = await clinic.addUser('secretary');
  doctor = await clinic.addUser('doctor');
  lab = await clinic.addUser('lab');
});
afterAll(async () => {
  for (const stream of open) stream.close();
  await t?.close();
});

async function stream(session: Session, url = base, lastEventId?: string) {
  const s = await openEventStream(url, session.cookie, { lastEventId });
  open.push(s);
  expect(s.status).toBe(200);
  await s.waitFor((e) => e.event === 'ready', 'the stream to be ready');
  return s;
}

describe('the event stream', () => {
  it('is a proper text/event-stream that tells the browser how soon to reconnect', async () => {
    const s = await stream(doctor);
    expect(s.contentType).toBe('text/event-stream; charset=utf-8');
    expect(s.text().startsWith('retry: 2000\n\n')).toBe(true);
    s.close();
  });

  it('brings one person’s registration and check-in to another person’s open screen, as ids only', async () => {
    const watching = await stream(frontDesk);
    const watchingDoctor = await stream(doctor);
    const patient = await registerPatient(secretary, { givenNameLatin: 'Samira', familyNameLatin: 'Qasem' });
    const registered = await watching.waitForMessage((m) => m.entityId === patient.id, 'the registration event');
    expect(registered.type).toBe('patient.changed');
    const visit = await checkIn(secretary, patient.id);
    const checkedIn = await watchingDoctor.waitForMessage((m) => m.entityId === visit.id, 'the check-in event');
    expect(checkedIn.type).toBe('visit.changed');

    // Ids only: the receiver refetches through the permission-checked API.
    for (const s of [watching, watchingDoctor]) {
      for (const frame of s.events.filter((e) => e.event === 'message')) {
        const data = JSON.parse(frame.data);
        expect(Object.keys(data).sort()).toEqual(['entityId', 'id', 'type']);
        expect(EVENT_TYPES).toContain(data.type);
        expect(frame.id).toBe(data.id);
      }
      expect(s.text()).not.toMatch(/Samira|Qasem/);
      expect(s.text()).not.toContain(patient.mrn);
      expect(s.text()).not.toContain(patient.phone);
    }
  });

  it('sends each role only the kinds of event it may read', async () => {
    const labStream = await stream(lab);
    const desk = await stream(frontDesk);
    const patient = await registerPatient(secretary);
    const member = await clinic.admin.request('PATCH', `/api/staff/${doctor.user.id}`, { displayName: 'Dr Renamed' });
    expect(member.status).toBe(200);
    // The staff change comes after the registration, so once the lab sees it, it has been sent everything.
    await labStream.waitForMessage((m) => m.type === 'staff.changed' && m.entityId === doctor.user.id, 'the staff event');
    await desk.waitForMessage((m) => m.type === 'staff.changed' && m.entityId === doctor.user.id, 'the staff event at the desk');
    expect(labStream.messages().map((m) => m.type)).toEqual(['staff.changed']);
    expect(desk.messages().map((m) => m.entityId)).toContain(patient.id);
  });

  it('replays exactly the missed events, in order, when reconnecting with Last-Event-ID', async () => {
    const first = await stream(frontDesk);
    const seen = await registerPatient(secretary);
    const last = await first.waitForMessage((m) => m.entityId === seen.id, 'the first event');
    first.close();

    const missed: string[] = [];
    for (let i = 0; i < 3; i++) missed.push((await registerPatient(secretary)).id);
    const visit = await checkIn(secretary, missed[0]);
    missed.push(visit.id);

    const again = await stream(frontDesk, base, last.id);
    const marker = await registerPatient(secretary);
    await again.waitForMessage((m) => m.entityId === marker.id, 'the live event after the replay');
    expect(again.messages().map((m) => m.entityId)).toEqual([...missed, marker.id]);
    const ids = again.messages().map((m) => BigInt(m.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    expect(ids[0]).toBeGreaterThan(BigInt(last.id));
    // The replay ends before the stream reports ready, then live delivery takes over.
    const readyAt = again.events.findIndex((e) => e.event === 'ready');
    const replayed = again.events.slice(0, readyAt).filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).entityId);
    expect(missed.slice(0, replayed.length)).toEqual(replayed);
  });

  it('asks the browser to start over when the Last-Event-ID is unknown', async () => {
    for (const lastEventId of ['999999999999', 'not-a-number']) {
      const s = await openEventStream(base, frontDesk.cookie, { lastEventId });
      open.push(s);
      await s.waitFor((e) => e.event === 'ready', 'ready');
      if (lastEventId === '999999999999') expect(s.events.map((e) => e.event)).toEqual(['resync', 'ready']);
      else expect(s.events.map((e) => e.event)).toEqual(['ready']);
      s.close();
    }
    // Another clinic's event id is unknown here too, not a way in.
    const elsewhere = await t.createClinic();
    const other = await elsewhere.addUser('secretary');
    const theirs = await registerPatient(other);
    const { rows } = await t.owner.query('SELECT id FROM outbox WHERE entity_id = $1', [theirs.id]);
    const s = await openEventStream(base, frontDesk.cookie, { lastEventId: String(rows[0].id) });
    open.push(s);
    await s.waitFor((e) => e.event === 'ready', 'ready');
    expect(s.events[0].event).toBe('resync');
    expect(s.text()).not.toContain(theirs.id);
    s.close();
  });

  it('forgets a stream as soon as the browser closes it', async () => {
    for (const s of open) s.close();
    await eventually(() => t.app.hub.size() === 0, 'every earlier stream to be gone');
    const s = await stream(frontDesk);
    expect(t.app.hub.size()).toBe(1);
    s.close();
    await s.waitUntilClosed();
    await eventually(() => t.app.hub.size() === 0, 'the closed stream to be gone');
  });
});

describe('two instances on one database', () => {
  let second: App;
  let secondDb: Db;
  let secondBase: string;

  beforeAll(async () => {
    secondDb = createDb(t.url, { role: 'doctors_app', poolSize: 4 });
    second = await buildApp({ db: secondDb, config: t.config, clock: t.clock, outboxIntervalMs: 50 });
    await second.fastify.listen({ port: 0, host: '127.0.0.1' });
    const address = second.fastify.server.address() as { port: number };
    secondBase = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await second?.close();
    await secondDb?.destroy();
  });

  it('shares sessions: a cookie from one instance works on the other', async () => {
    const me = await socketRequest(secondBase, secretary.cookie, 'GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.userId).toBe(secretary.user.id);
  });

  it('delivers an event written through one instance to a stream on the other', async () => {
    const onSecond = await stream(frontDesk, secondBase);
    const onFirst = await stream(doctor, base);
    const patient = await registerPatient(secretary);
    const visit = await checkIn(secretary, patient.id);
    await onSecond.waitForMessage((m) => m.entityId === visit.id, 'the event on instance 2');
    expect(onSecond.messages().map((m) => m.entityId)).toEqual([patient.id, visit.id]);

    // And the other way round: a call made on instance 2 reaches a stream on instance 1.
    const called = await socketRequest(secondBase, doctor.cookie, 'POST', `/api/visits/${visit.id}/call`, {});
    expect(called.status).toBe(200);
    await eventually(() => onFirst.messages().filter((m) => m.entityId === visit.id).length === 2, 'both visit events on instance 1');
    expect(onFirst.messages().map((m) => m.type)).toEqual(['patient.changed', 'visit.changed', 'visit.changed']);
  });

  it('ends a stream on one instance when the session is revoked through the other', async () => {
    const nurse = await clinic.addUser('secretary');
    const s = await stream(nurse, secondBase);
    expect((await clinic.admin.request('PATCH', `/api/staff/${nurse.user.id}`, { active: false })).status).toBe(200);
    await s.waitFor((e) => e.event === 'session-ended', 'session-ended on instance 2');
    await s.waitUntilClosed();
  });
});
