import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../../common/errors.ts';
import { registerPatient } from '../../test/factories.ts';
import { buildTestApp, patientBody, type ClinicFixture, type Session, type TestContext } from '../../test/harness.ts';

let t: TestContext;
let clinic: ClinicFixture;
let secretary: Session;
let otherSecretary: Session;
let doctor: Session;

beforeAll(async () => {
  t = await buildTestApp();
  t.clock.set(new Date('2031-03-04T08:00:00.000Z'));
  clinic = await t.createClinic();
  secretary = await clinic.addUser('secretary', 'Rana Front');
  otherSecretary = await clinic.addUser('secretary', 'Omar Desk');
  doctor = await clinic.addUser('doctor');
});
afterAll(async () => t?.close());

async function patientCount(clinicId = clinic.id): Promise<number> {
  const { rows } = await t.owner.query('SELECT count(*)::int AS n FROM patients WHERE clinic_id = $1', [clinicId]);
  return rows[0].n;
}

async function search(q: string, session = secretary): Promise<{ id: string; mrn: string; displayName: string }[]> {
  const response = await session.request('GET', `/api/patients?q=${encodeURIComponent(q)}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items;
}

/** The editable fields of a patient as the API returns them, ready to send back with a change. */
function editable(patient: Record<string, unknown>) {
  const { id: _id, mrn: _mrn, createdAt: _c, updatedAt: _u, ...fields } = patient;
  return fields;
}

function expectErrorShape(body: any, status: number) {
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  expect(Object.keys(body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  expect(ERROR_STATUS[body.error.code as keyof typeof ERROR_STATUS], `${body.error.code} is answered with ${status}`).toBe(status);
}

describe('registration', () => {
  it('gives each clinic its own sequential record numbers, also under concurrent registration', async () => {
    const own = await t.createClinic();
    const desk = await own.addUser('secretary');
    const first = [];
    for (let i = 0; i < 3; i++) first.push((await registerPatient(desk)).mrn);
    expect(first).toEqual(['000001', '000002', '000003']);
    const together = await Promise.all(Array.from({ length: 12 }, () => registerPatient(desk)));
    expect(together.map((p) => p.mrn).sort()).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 4).padStart(6, '0')));
    const other = await t.createClinic();
    expect((await registerPatient(await other.addUser('secretary'))).mrn).toBe('000001');
  });

  it('keeps what was entered, trimmed, and keeps the first version', async () => {
    const response = await secretary.request('POST', '/api/patients', {
      givenNameLatin: '  Salma ',
      familyNameLatin: 'Nasser',
      givenNameArabic: 'سلمى',
      familyNameArabic: 'ناصر',
      sex: 'female',
      birthDate: '1990-07-21',
      phone: '+962 79 000 1122',
      nationalId: 'ab-1234567',
      address: 'Irbid',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ givenNameLatin: 'Salma', givenNameArabic: 'سلمى', nationalId: 'AB-1234567', version: 1, emergencyContactName: null });
    const history = await secretary.request('GET', `/api/patients/${response.body.id}/history`);
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ version: 1, changedBy: 'Rana Front', data: { givenNameLatin: 'Salma', address: 'Irbid', frontDeskNotes: null } });
    expect(history.body.items[0].changedFields).toEqual(expect.arrayContaining(['givenNameLatin', 'givenNameArabic', 'phone', 'nationalId', 'address']));
  });
});

describe('duplicate detection', () => {
  let original: { id: string; mrn: string };
  beforeAll(async () => {
    original = await registerPatient(secretary, {
      givenNameLatin: 'Mariam',
      familyNameLatin: 'Khalil',
      birthDate: '1985-04-12',
      phone: '+962 79 111 2233',
      nationalId: 'JO-9876543',
    });
  });

  async function attempt(overrides: Record<string, unknown>) {
    const before = await patientCount();
    const response = await secretary.request('POST', '/api/patients', patientBody(overrides));
    if (response.status !== 201) expect(await patientCount()).toBe(before);
    return response;
  }

  it('warns about the same birth date with a similar name', async () => {
    const response = await attempt({ givenNameLatin: 'Maryam', familyNameLatin: 'Khalil', birthDate: '1985-04-12' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('possible_duplicate');
    expect(response.body.error.details.blocking).toBeUndefined();
    expect(response.body.error.details.candidates).toEqual([{ patient: expect.objectContaining({ id: original.id, mrn: original.mrn }), reasons: ['name_and_birth_date'] }]);
    // A similar name on another day is somebody else.
    expect((await attempt({ givenNameLatin: 'Maryam', familyNameLatin: 'Khalil', birthDate: '1986-04-12' })).status).toBe(201);
  });

  it('warns about the same phone number however it is written', async () => {
    const response = await attempt({ phone: '+962-79-111-2233' });
    expect(response.status).toBe(409);
    expect(response.body.error.details.candidates[0]).toMatchObject({ patient: { id: original.id }, reasons: ['phone'] });
  });

  it('registers anyway once the secretary acknowledges a warning', async () => {
    const response = await attempt({ givenNameLatin: 'Mariam', familyNameLatin: 'Khalil', birthDate: '1985-04-12', acknowledgeDuplicates: true });
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe(original.id);
    const audit = await t.owner.query("SELECT details FROM audit_log WHERE entity_id = $1 AND action = 'patient.create'", [response.body.id]);
    expect(audit.rows[0].details).toEqual({ duplicatesAcknowledged: 1 });
  });

  it('blocks a national id that already belongs to someone, acknowledged or not', async () => {
    for (const acknowledgeDuplicates of [false, true]) {
      const response = await attempt({ nationalId: 'jo-9876543', acknowledgeDuplicates });
      expect(response.status).toBe(409);
      expect(response.body.error.details.blocking).toBe(true);
      expect(response.body.error.details.candidates.find((c: { reasons: string[] }) => c.reasons.includes('national_id')).patient.id).toBe(original.id);
    }
    const other = await registerPatient(secretary);
    const current = (await secretary.request('GET', `/api/patients/${other.id}`)).body;
    const edit = await secretary.request('PUT', `/api/patients/${other.id}`, { ...editable(current), nationalId: 'JO-9876543' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.details.blocking).toBe(true);
    expect((await secretary.request('GET', `/api/patients/${other.id}`)).body.version).toBe(1);
  });

  it('lists candidates before registering', async () => {
    const response = await secretary.request('POST', '/api/patients/duplicates', patientBody({ phone: '+962 79 111 2233' }));
    expect(response.status).toBe(200);
    expect(response.body.items.map((c: { patient: { id: string } }) => c.patient.id)).toContain(original.id);
    const none = await secretary.request('POST', '/api/patients/duplicates', patientBody());
    expect(none.body.items).toEqual([]);
  });
});

describe('search', () => {
  const people: Record<string, { id: string; mrn: string }> = {};
  beforeAll(async () => {
    people.jose = await registerPatient(secretary, { givenNameLatin: 'José', familyNameLatin: 'Álvarez', phone: '+962 79 555 0101' });
    people.ahmad = await registerPatient(secretary, { givenNameLatin: null, familyNameLatin: null, givenNameArabic: 'أحمد', familyNameArabic: 'العلي', phone: '+962 78 222 3344' });
    people.mohammad = await registerPatient(secretary, { givenNameLatin: null, familyNameLatin: null, givenNameArabic: 'مُحَمَّد', familyNameArabic: 'الخَطِيب' });
    people.ibrahim = await registerPatient(secretary, { givenNameLatin: 'Ibrahim', familyNameLatin: 'Saleh', givenNameArabic: 'إبراهيم', familyNameArabic: 'صالح' });
    people.amna = await registerPatient(secretary, { givenNameLatin: null, familyNameLatin: null, givenNameArabic: 'آمنة', familyNameArabic: 'يحيى', nationalId: 'QX-5550001' });
  });

  const ids = (items: { id: string }[]) => items.map((i) => i.id);

  it('finds Latin names by any part, ignoring case and accents', async () => {
    for (const q of ['jose', 'JOSÉ', 'Jos', 'alvarez', 'ÁLV', 'jose alvarez', 'alvarez jose', 'josé   álvarez']) {
      expect(ids(await search(q)), q).toContain(people.jose.id);
    }
    expect(ids(await search('jose zzz'))).not.toContain(people.jose.id);
  });

  it('finds Arabic names with or without diacritics and whatever hamza form is typed', async () => {
    const cases: [string, string][] = [
      ['احمد', 'ahmad'],
      ['أحمد', 'ahmad'],
      ['أَحْمَد', 'ahmad'],
      ['احمد العلي', 'ahmad'],
      ['محمد', 'mohammad'],
      ['مُحَمَّد الخطيب', 'mohammad'],
      ['ابراهيم', 'ibrahim'],
      ['إبراهيم', 'ibrahim'],
      ['ibrahim', 'ibrahim'],
      ['امنه', 'amna'],
      ['آمنة', 'amna'],
      ['يحيي', 'amna'],
    ];
    for (const [q, who] of cases) expect(ids(await search(q)), q).toContain(people[who].id);
    expect(ids(await search('احمد'))).not.toContain(people.mohammad.id);
  });

  it('finds by phone digits, record number and national id', async () => {
    expect(ids(await search('5550101'))).toContain(people.jose.id);
    expect(ids(await search('79 555 0101'))).toContain(people.jose.id);
    expect(ids(await search('٥٥٥٠١٠١'))).toContain(people.jose.id);
    expect(ids(await search('2223344'))).toContain(people.ahmad.id);
    expect((await search(people.amna.mrn))[0].id).toBe(people.amna.id);
    expect((await search(`MRN-${people.amna.mrn}`))[0].id).toBe(people.amna.id);
    expect(ids(await search('qx-5550001'))).toEqual([people.amna.id]);
    expect(await search('zzzzzz')).toEqual([]);
  });

  it('treats search text as text, never as a pattern', async () => {
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    expect(await search("jos' OR 1=1 --")).toEqual([]);
  });

  it('answers doctors too, and respects the limit', async () => {
    expect(ids(await search('jose', doctor))).toContain(people.jose.id);
    const limited = await secretary.request('GET', '/api/patients?limit=2');
    expect(limited.body.items).toHaveLength(2);
    expect((await secretary.request('GET', '/api/patients?limit=500')).status).toBe(400);
  });
});

describe('editing', () => {
  it('keeps every version with what changed and who changed it', async () => {
    const created = await registerPatient(secretary, { givenNameLatin: 'Huda', familyNameLatin: 'Omari', address: 'Zarqa' });
    let current = (await secretary.request('GET', `/api/patients/${created.id}`)).body;

    const second = await secretary.request('PUT', `/api/patients/${created.id}`, { ...editable(current), phone: '+962 77 900 8000', address: 'Salt' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ version: 2, phone: '+962 77 900 8000', address: 'Salt' });
    current = second.body;

    const third = await otherSecretary.request('PUT', `/api/patients/${created.id}`, { ...editable(current), givenNameLatin: 'Hoda' });
    expect(third.body.version).toBe(3);

    // Saving without a change makes no new version.
    const same = await otherSecretary.request('PUT', `/api/patients/${created.id}`, editable(third.body));
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(3);

    const history = (await secretary.request('GET', `/api/patients/${created.id}/history`)).body.items;
    expect(history.map((h: { version: number }) => h.version)).toEqual([3, 2, 1]);
    expect(history[0]).toMatchObject({ changedBy: 'Omar Desk', changedFields: ['givenNameLatin'], data: { givenNameLatin: 'Hoda', address: 'Salt' } });
    expect(history[1]).toMatchObject({ changedBy: 'Rana Front', changedFields: ['phone', 'address'], data: { givenNameLatin: 'Huda', address: 'Salt' } });
    expect(history[2]).toMatchObject({ changedBy: 'Rana Front', data: { givenNameLatin: 'Huda', address: 'Zarqa' } });
    // The search follows the new name.
    expect((await search('hoda')).map((p) => p.id)).toContain(created.id);
  });

  it('refuses a stale version and saves nothing', async () => {
    const created = await registerPatient(secretary);
    const opened = (await secretary.request('GET', `/api/patients/${created.id}`)).body;
    expect((await otherSecretary.request('PUT', `/api/patients/${created.id}`, { ...editable(opened), address: 'First save' })).status).toBe(200);

    const stale = await secretary.request('PUT', `/api/patients/${created.id}`, { ...editable(opened), address: 'Second save' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'stale_version', details: { currentVersion: 2 } });
    const now = (await secretary.request('GET', `/api/patients/${created.id}`)).body;
    expect(now).toMatchObject({ version: 2, address: 'First save' });
    expect((await secretary.request('GET', `/api/patients/${created.id}/history`)).body.items).toHaveLength(2);
  });

  it('lets only one of two simultaneous edits of the same version win', async () => {
    const created = await registerPatient(secretary);
    const opened = editable((await secretary.request('GET', `/api/patients/${created.id}`)).body);
    const results = await Promise.all([
      secretary.request('PUT', `/api/patients/${created.id}`, { ...opened, address: 'A' }),
      otherSecretary.request('PUT', `/api/patients/${created.id}`, { ...opened, address: 'B' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const { rows } = await t.owner.query('SELECT count(*)::int AS n FROM patient_versions WHERE patient_id = $1', [created.id]);
    expect(rows[0].n).toBe(2);
  });

  it('is not open to doctors', async () => {
    const created = await registerPatient(secretary);
    const opened = editable((await doctor.request('GET', `/api/patients/${created.id}`)).body);
    expect((await doctor.request('PUT', `/api/patients/${created.id}`, { ...opened, address: 'x' })).status).toBe(403);
  });
});

describe('bad input', () => {
  const invalid: [string, Record<string, unknown>][] = [
    ['birth date in the future', { birthDate: '2031-03-05' }],
    ['impossible date', { birthDate: '2023-02-30' }],
    ['not a date', { birthDate: '12/03/1990' }],
    ['birth date before 1880', { birthDate: '1879-12-31' }],
    ['Arabic letters in a Latin name', { givenNameLatin: 'أحمد' }],
    ['Latin letters in an Arabic name', { givenNameLatin: null, familyNameLatin: null, givenNameArabic: 'Ahmad', familyNameArabic: 'علي' }],
    ['digits in a name', { familyNameLatin: 'Haddad2' }],
    ['given name only', { familyNameLatin: null }],
    ['blank names', { givenNameLatin: '   ', familyNameLatin: '  ' }],
    ['overlong name', { givenNameLatin: 'A'.repeat(81) }],
    ['overlong address', { address: 'x'.repeat(301) }],
    ['overlong notes', { frontDeskNotes: 'x'.repeat(1001) }],
    ['letters in the phone', { phone: '+962 79 CALL ME' }],
    ['too few phone digits', { phone: '(12) 3-4' }],
    ['malformed national id', { nationalId: 'a b' }],
    ['unknown field', { bloodType: 'A+' }],
    ['unknown sex', { sex: 'robot' }],
    ['number for sex', { sex: 42 }],
    ['object for a name', { givenNameLatin: { first: 'Lina' } }],
    ['list of names', { givenNameLatin: ['Lina', 'Rima'] }],
    ['word for a yes/no', { acknowledgeDuplicates: 'perhaps' }],
    ['null where required', { phone: null }],
    ['NUL character in text', { address: 'Amman\u0000' }],
    ['NUL character in notes', { frontDeskNotes: '\u0000' }],
  ];

  for (const [name, overrides] of invalid) {
    it(`refuses ${name} with 400 validation_failed and saves nothing`, async () => {
      const before = await patientCount();
      const response = await secretary.request('POST', '/api/patients', { ...patientBody(), ...overrides });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expectErrorShape(response.body, 400);
      expect(await patientCount()).toBe(before);
    });
  }

  it('refuses a missing required field', async () => {
    for (const field of ['sex', 'birthDate', 'phone']) {
      const body: Record<string, unknown> = patientBody();
      delete body[field];
      const response = await secretary.request('POST', '/api/patients', body);
      expect(response.status).toBe(400);
      expect(response.body.error.details.fields[0].field).toBe(field);
    }
  });

  it('refuses bodies that are not a patient at all', async () => {
    const before = await patientCount();
    const raw = async (payload: string, contentType = 'application/json') => {
      const response = await t.app.fastify.inject({
        method: 'POST',
        url: '/api/patients',
        headers: { cookie: secretary.cookie, 'x-requested-with': 'doctors-system', 'content-type': contentType },
        payload,
      });
      return { status: response.statusCode, body: response.json() };
    };
    // Unreadable JSON is "bad_request" in the contract: there are no fields to point at.
    for (const payload of ['{garbage', '{"givenNameLatin": "Lina",', '', '\u0000']) {
      const response = await raw(payload);
      expect(response.status, payload).toBe(400);
      expect(response.body.error.code).toBe('bad_request');
      expectErrorShape(response.body, 400);
    }
    for (const payload of ['[]', '"Lina"', 'null', '42', 'true', '[{"givenNameLatin":"Lina"}]', '['.repeat(50_000) + ']'.repeat(50_000)]) {
      const response = await raw(payload);
      expect(response.status, payload).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    const form = await raw('givenNameLatin=Lina', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect(Object.keys(form.body)).toEqual(['error']);
    expect(await patientCount()).toBe(before);
  });

  it('refuses bad edits the same way, keeping the stored version', async () => {
    const created = await registerPatient(secretary);
    const opened = editable((await secretary.request('GET', `/api/patients/${created.id}`)).body);
    for (const change of [{ birthDate: '2031-12-01' }, { givenNameLatin: 'سارة' }, { version: 'one' }, { version: 0 }, { mrn: '999999' }, { address: '\u0000' }]) {
      const response = await secretary.request('PUT', `/api/patients/${created.id}`, { ...opened, ...change });
      expect(response.status, JSON.stringify(change)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await secretary.request('GET', `/api/patients/${created.id}`)).body.version).toBe(1);
    expect((await secretary.request('GET', '/api/patients/not-a-uuid')).status).toBe(400);
    expect((await secretary.request('GET', '/api/patients/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses NUL characters in a search', async () => {
    const response = await secretary.request('GET', '/api/patients?q=%00abc');
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 400);
  });

  it('never fails on its side, whatever JSON is posted', async () => {
    const keys = ['givenNameLatin', 'familyNameLatin', 'givenNameArabic', 'familyNameArabic', 'sex', 'birthDate', 'phone', 'nationalId', 'address', 'emergencyContactName', 'emergencyContactPhone', 'frontDeskNotes', 'acknowledgeDuplicates'];
    // Mostly a valid registration with a field or two replaced, so the bad value reaches the deeper checks.
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '-', "'", '7', '٣', 'أ', 'é', '\u0301', '\u0000', '\u200f', '%', '\\'), maxLength: 12 }),
      fc.constantFrom('أحمد', 'José', '1990-01-01', '2023-02-30', '0001-01-01', '+962791234567', '٠٧٩١٢٣٤٥٦٧', 'female', '', ' ', 'x'.repeat(2000)),
    );
    const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 3 }));
    const replaced = fc.dictionary(fc.constantFrom(...keys, 'extra'), value, { minKeys: 1, maxKeys: 2 });
    const body = fc.oneof(
      { weight: 4, arbitrary: replaced.map((changes) => ({ ...patientBody(), acknowledgeDuplicates: true, ...changes })) },
      { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...keys), value) },
      { weight: 1, arbitrary: fc.jsonValue() },
    );
    const payload = fc.oneof({ weight: 5, arbitrary: body.map((b) => JSON.stringify(b) ?? 'null') }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) });
    await fc.assert(
      fc.asyncProperty(payload, async (json) => {
        const response = await t.app.fastify.inject({
          method: 'POST',
          url: '/api/patients',
          headers: { cookie: secretary.cookie, 'x-requested-with': 'doctors-system', 'content-type': 'application/json' },
          payload: json,
        });
        expect(response.statusCode, json).toBeLessThan(500);
        if (response.statusCode >= 300) expectErrorShape(response.json(), response.statusCode);
        else expect(response.statusCode).toBe(201);
      }),
      { numRuns: 300 },
    );
  });
});
