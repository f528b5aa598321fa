import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { Session } from '../server/test/harness.ts';
import { browserSuite, screenshot, signedInContext, VIEWPORTS, watchErrors } from './browser.ts';

const suite = browserSuite();

async function ok(session: Session, method: string, url: string, body?: unknown) {
  const response = await session.request(method, url, body);
  if (response.status >= 300) throw new Error(`${method} ${url} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const PEOPLE = [
  { givenNameLatin: 'Lina', familyNameLatin: 'Haddad', givenNameArabic: 'لينا', familyNameArabic: 'حداد', sex: 'female', birthDate: '1985-03-14', phone: '+962 79 100 2001', nationalId: 'JO-9851234', address: 'Jabal Amman, 3rd Circle', emergencyContactName: 'Sami Haddad', emergencyContactPhone: '+962 79 100 2002' },
  { givenNameLatin: 'Omar', familyNameLatin: 'Haddad', givenNameArabic: 'عمر', familyNameArabic: 'حداد', sex: 'male', birthDate: '1962-11-02', phone: '+962 77 200 3003' },
  { givenNameLatin: 'Maya', familyNameLatin: 'Khalil', givenNameArabic: 'مايا', familyNameArabic: 'خليل', sex: 'female', birthDate: '2016-07-21', phone: '+962 78 300 4004' },
  { givenNameLatin: 'Ahmad', familyNameLatin: 'Mansour', givenNameArabic: 'أحمد', familyNameArabic: 'منصور', sex: 'male', birthDate: '1990-01-30', phone: '+962 79 400 5005' },
  { givenNameLatin: 'Salma', familyNameLatin: 'Odeh', givenNameArabic: 'سلمى', familyNameArabic: 'عودة', sex: 'female', birthDate: '1978-09-09', phone: '+962 77 500 6006' },
  { givenNameArabic: 'كريم', familyNameArabic: 'ناصر', sex: 'male', birthDate: '2001-05-05', phone: '+962 78 600 7007' },
];

/** A clinic in mid-morning: patients on file, a full board, a doctor's day of appointments. */
async function seed() {
  const clinic = await suite.ctx.createClinic({ name: 'Al-Noor Family Clinic', timeZone: 'Asia/Amman' });
  const secretary = await clinic.addUser('secretary', 'Sara Haddad');
  const doctor = await clinic.addUser('doctor', 'Dr Omar Saleh');
  const admin = clinic.admin;
  await ok(admin, 'PATCH', `/api/staff/${doctor.user.id}`, {
    schedule: { slotMinutes: 20, consultationType: 'general', blocks: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '13:00' })) },
  });
  await ok(admin, 'POST', '/api/staff', {
    username: 'dr.rana',
    displayName: 'Dr Rana Aziz',
    role: 'doctor',
    password: 'a long enough secret',
    schedule: { slotMinutes: 30, consultationType: 'specialist', blocks: [0, 2, 4].map((weekday) => ({ weekday, start: '14:00', end: '18:00' })) },
  });
  await ok(admin, 'POST', '/api/staff', { username: 'lab.khaled', displayName: 'Khaled Lab', role: 'lab', password: 'a long enough secret' });
  const leaver = await ok(admin, 'POST', '/api/staff', { username: 'old.front', displayName: 'Nour Former', role: 'secretary', password: 'a long enough secret' });
  await ok(admin, 'PATCH', `/api/staff/${leaver.id}`, { active: false });

  const patients = [];
  for (const person of PEOPLE) patients.push(await ok(secretary, 'POST', '/api/patients', { ...person, acknowledgeDuplicates: true }));
  const [lina, omar, maya, ahmad, salma, karim] = patients;
  await ok(secretary, 'PUT', `/api/patients/${lina.id}`, { ...PEOPLE[0], phone: '+962 79 100 2999', frontDeskNotes: 'Prefers morning appointments.', version: lina.version });

  // The price list: every check-in below owes its consultation fee before the doctor may call.
  const general = await ok(admin, 'POST', '/api/services', { code: 'CONS-GEN', nameEn: 'General consultation', nameAr: 'معاينة عامة', kind: 'consultation', consultationType: 'general', priceMinor: 15_000 });
  await ok(admin, 'POST', '/api/services', { code: 'CONS-SPEC', nameEn: 'Specialist consultation', nameAr: 'معاينة اختصاصي', kind: 'consultation', consultationType: 'specialist', priceMinor: 25_000 });
  await ok(admin, 'POST', '/api/services', { code: 'DRESS', nameEn: 'Wound dressing', nameAr: 'غيار جرح', kind: 'procedure', priceMinor: 7_500, taxRateBp: 1600 });
  const payFor = async (patientId: string, parts: unknown[]) => {
    const charges = (await ok(secretary, 'GET', `/api/charges?patientId=${patientId}`)).items.filter((c: { status: string }) => c.status === 'pending');
    return ok(secretary, 'POST', '/api/payments', { idempotencyKey: `seed-${patientId}`, patientId, chargeIds: charges.map((c: { id: string }) => c.id), parts });
  };

  const done = await ok(secretary, 'POST', '/api/visits', { patientId: karim.id, doctorId: doctor.user.id });
  const karimPaid = await payFor(karim.id, [{ method: 'cash', amountMinor: 15_000, tenderedMinor: 20_000 }]);
  await ok(doctor, 'POST', `/api/visits/${done.id}/call`, {});
  await ok(doctor, 'POST', `/api/visits/${done.id}/complete`, {});
  await ok(admin, 'POST', `/api/invoices/${karimPaid.invoice.id}/refunds`, {
    idempotencyKey: 'seed-refund-1', method: 'cash', reason: 'Follow-up visit free of charge', lines: [{ chargeId: karimPaid.invoice.snapshot.lines[0].chargeId, amountMinor: 5_000 }],
  });
  const inRoom = await ok(secretary, 'POST', '/api/visits', { patientId: ahmad.id, doctorId: doctor.user.id });
  await payFor(ahmad.id, [{ method: 'card', amountMinor: 15_000, reference: 'POS-88213' }]);
  await ok(doctor, 'POST', `/api/visits/${inRoom.id}/call`, {});
  const longWait = await ok(secretary, 'POST', '/api/visits', { patientId: lina.id });
  await payFor(lina.id, [{ method: 'cash', amountMinor: 10_000 }, { method: 'transfer', amountMinor: 5_000, reference: 'TRF-1120' }]);
  const shortWait = await ok(secretary, 'POST', '/api/visits', { patientId: maya.id, doctorId: doctor.user.id });
  void general;
  const gone = await ok(secretary, 'POST', '/api/visits', { patientId: salma.id });
  await ok(secretary, 'POST', `/api/visits/${gone.id}/cancel`, { reason: 'Came on the wrong day' });
  await suite.ctx.owner.query("UPDATE visits SET checked_in_at = now() - interval '42 minutes' WHERE id = $1", [longWait.id]);
  await suite.ctx.owner.query("UPDATE visits SET checked_in_at = now() - interval '6 minutes' WHERE id = $1", [shortWait.id]);

  const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Amman' }).format(new Date(Date.now() + 86_400_000));
  const slots = await ok(secretary, 'GET', `/api/appointments/slots?doctorId=${doctor.user.id}&date=${tomorrow}`);
  await ok(secretary, 'POST', '/api/appointments', { doctorId: doctor.user.id, patientId: omar.id, startsAt: slots.items[0].startsAt, reason: 'Blood pressure check' });
  await ok(secretary, 'POST', '/api/appointments', { doctorId: doctor.user.id, patientId: salma.id, startsAt: slots.items[2].startsAt });
  const cancelled = await ok(secretary, 'POST', '/api/appointments', { doctorId: doctor.user.id, patientId: maya.id, startsAt: slots.items[4].startsAt });
  await ok(secretary, 'POST', `/api/appointments/${cancelled.id}/cancel`, { reason: 'Family travelling', version: cancelled.version });
  await ok(secretary, 'POST', '/api/appointments', { doctorId: doctor.user.id, patientId: lina.id, startsAt: slots.items[6].startsAt, reason: 'Follow-up' });

  return { secretary, doctor, admin, lina, omar, maya, karim, karimInvoice: karimPaid.invoice.number as string, tomorrow };
}

interface Screen {
  name: string;
  as: 'anonymous' | 'secretary' | 'doctor' | 'admin';
  url: string;
  ready(page: Page): Promise<void>;
}

const CONTROL = /^\s*- (button|link|textbox|searchbox|combobox|checkbox|radio|spinbutton|menuitem|tab|slider|switch)( \[[^\]]*\])?:?$/;

/** Controls the accessibility tree shows without a name: each one needs a label or aria-label. */
async function unnamedControls(page: Page, screen: string): Promise<string[]> {
  const tree = await page.locator('body').ariaSnapshot();
  return tree
    .split('\n')
    .filter((line) => CONTROL.test(line))
    .map((line) => `${screen}: ${line.trim()}`);
}

async function capture(page: Page, name: string) {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await screenshot(page, `${name}-${viewport.width}x${viewport.height}`);
  }
}

test('the main screens in English and Arabic at phone, tablet and desktop widths', async () => {
  const data = await seed();
  const screens: Screen[] = [
    { name: 'login', as: 'anonymous', url: '/', ready: (p) => p.locator('form button[type=submit]').waitFor() },
    { name: 'patients-search', as: 'secretary', url: '/patients?q=Haddad', ready: (p) => p.getByRole('listitem').nth(1).waitFor() },
    {
      name: 'register-form',
      as: 'secretary',
      url: '/patients/new',
      ready: async (p) => {
        await p.locator('form button[type=submit]').click();
        await p.getByRole('alert').first().waitFor();
      },
    },
    { name: 'patient', as: 'secretary', url: `/patients/${data.lina.id}`, ready: (p) => p.getByText('JO-9851234').waitFor() },
    { name: 'appointments-day', as: 'secretary', url: `/appointments?doctor=${data.doctor.user.id}&date=${data.tomorrow}`, ready: (p) => p.getByText(data.omar.mrn).waitFor() },
    { name: 'appointments-week', as: 'secretary', url: `/appointments?doctor=${data.doctor.user.id}&date=${data.tomorrow}&view=week`, ready: (p) => p.getByText(/09:00/).first().waitFor() },
    { name: 'board', as: 'secretary', url: '/board', ready: (p) => p.getByText(data.maya.mrn).waitFor() },
    { name: 'queue', as: 'doctor', url: '/queue', ready: (p) => p.getByText(data.maya.mrn).waitFor() },
    { name: 'staff', as: 'admin', url: '/staff', ready: (p) => p.getByText('dr.rana').waitFor() },
    { name: 'audit', as: 'admin', url: '/audit', ready: (p) => p.locator('table tbody tr').nth(3).waitFor() },
    { name: 'billing-day', as: 'secretary', url: '/billing', ready: (p) => p.locator('#day-open').locator('xpath=../..').getByText(data.maya.mrn).waitFor() },
    {
      name: 'billing-invoices',
      as: 'admin',
      url: '/billing',
      ready: async (p) => {
        await p.getByRole('tab').nth(1).click();
        await p.getByText(data.karimInvoice).waitFor();
      },
    },
    { name: 'prices', as: 'admin', url: '/prices', ready: (p) => p.getByText('CONS-SPEC').waitFor() },
    {
      name: 'patient-billing',
      as: 'secretary',
      url: `/patients/${data.karim.id}`,
      ready: async (p) => {
        await p.getByRole('tab').nth(3).click();
        await p.getByText(data.karimInvoice).waitFor();
      },
    },
  ];

  const unnamed: string[] = [];
  for (const language of ['en', 'ar'] as const) {
    const contexts: Record<Screen['as'], BrowserContext> = {
      anonymous: await suite.browser.newContext({ viewport: VIEWPORTS[2] }),
      secretary: await signedInContext(suite.browser, suite.baseUrl, data.secretary),
      doctor: await signedInContext(suite.browser, suite.baseUrl, data.doctor),
      admin: await signedInContext(suite.browser, suite.baseUrl, data.admin),
    };
    await contexts.anonymous.addInitScript((lang) => window.localStorage.setItem('doctors-system.language', lang), language);
    const pages = {} as Record<Screen['as'], Page>;
    const errors: string[][] = [];
    for (const role of Object.keys(contexts) as Screen['as'][]) {
      pages[role] = await contexts[role].newPage();
      errors.push(watchErrors(pages[role]));
    }

    if (language === 'ar') {
      // The secretary switches through the account menu; the choice is saved and survives a reload.
      const page = pages.secretary;
      await page.goto(`${suite.baseUrl}/board`);
      await page.getByRole('button', { name: 'Account menu for Sara Haddad' }).click();
      await page.getByRole('menuitem', { name: 'العربية' }).click();
      await page.locator('html[dir=rtl][lang=ar]').waitFor({ state: 'attached' });
      await page.getByRole('heading', { name: 'الاستقبال' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'الاستقبال' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
      await ok(data.doctor, 'PUT', '/api/auth/me/language', { language: 'ar' });
      await ok(data.admin, 'PUT', '/api/auth/me/language', { language: 'ar' });
    }

    for (const screen of screens) {
      const page = pages[screen.as];
      await page.setViewportSize(VIEWPORTS[2]);
      await page.goto(suite.baseUrl + screen.url);
      await screen.ready(page);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(language);
      unnamed.push(...(await unnamedControls(page, `${language}-${screen.name}`)));
      await capture(page, `${language}-${screen.name}`);
    }

    // Dialogs at phone width, where the schedule editor and the patient picker are tightest.
    const desk = pages.secretary;
    await desk.setViewportSize(VIEWPORTS[0]);
    await desk.goto(`${suite.baseUrl}/appointments?doctor=${data.doctor.user.id}&date=${data.tomorrow}`);
    await desk.locator('li.slot-free button').first().click();
    await desk.getByRole('dialog').getByRole('listitem').nth(2).waitFor();
    await desk.waitForTimeout(300);
    await screenshot(desk, `${language}-book-dialog-390x844`, false);
    const office = pages.admin;
    await office.setViewportSize(VIEWPORTS[0]);
    await office.goto(`${suite.baseUrl}/staff`);
    await office.getByText('dr.rana').waitFor();
    await office.locator('main').getByRole('button').first().click();
    await office.getByRole('dialog').locator('select').first().selectOption('doctor');
    await office.getByRole('dialog').locator('input[type=time]').first().waitFor();
    await office.waitForTimeout(300);
    await screenshot(office, `${language}-staff-dialog-390x844`, false);
    unnamed.push(...(await unnamedControls(office, `${language}-staff-dialog`)));

    // Taking a payment and reading an invoice, on a phone.
    await desk.goto(`${suite.baseUrl}/board`);
    await desk.getByText(data.maya.mrn).waitFor();
    await desk.locator('li.visit-row', { hasText: data.maya.mrn }).locator('button').first().click();
    await desk.getByRole('dialog').locator('input[inputmode=decimal]').first().fill('20');
    await desk.waitForTimeout(300);
    await screenshot(desk, `${language}-payment-dialog-390x844`, false);
    unnamed.push(...(await unnamedControls(desk, `${language}-payment-dialog`)));
    await desk.keyboard.press('Escape');
    await office.goto(`${suite.baseUrl}/billing`);
    await office.getByRole('tab').nth(1).click();
    await office.getByText(data.karimInvoice).click();
    await office.getByRole('dialog').getByText(data.karim.mrn).waitFor();
    await office.waitForTimeout(300);
    await screenshot(office, `${language}-invoice-dialog-390x844`, false);
    unnamed.push(...(await unnamedControls(office, `${language}-invoice-dialog`)));

    const phone = pages.secretary;
    await phone.setViewportSize(VIEWPORTS[0]);
    await phone.goto(`${suite.baseUrl}/board`);
    await phone.getByText(data.maya.mrn).waitFor();
    await phone.getByRole('button', { name: language === 'ar' ? 'فتح القائمة' : 'Open navigation' }).click();
    await phone.getByRole('navigation').getByRole('link').first().waitFor();
    await phone.waitForTimeout(300);
    await screenshot(phone, `${language}-navigation-open-390x844`, false);

    expect(errors.flat()).toEqual([]);
    for (const context of Object.values(contexts)) await context.close();
  }
  expect(unnamed).toEqual([]);
}, 180_000);
