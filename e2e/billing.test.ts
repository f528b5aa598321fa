import { expect, test } from 'vitest';
import { browserSuite, markPage, signedInContext, stillSamePage, watchErrors } from './browser.ts';

const suite = browserSuite();

test('no consultation before payment: the doctor sees "awaiting payment", the secretary takes the money, the queue follows live, the invoice opens', async () => {
  const clinic = await suite.ctx.createClinic({ name: 'Hillside Clinic' });
  const secretary = await clinic.addUser('secretary', 'Sara Front');
  const doctor = await clinic.addUser('doctor', 'Dr Omar Saleh');
  const price = await clinic.admin.request('POST', '/api/services', {
    code: 'CONS-GEN', nameEn: 'General consultation', nameAr: 'معاينة عامة', kind: 'consultation', consultationType: 'general', priceMinor: 15_000,
  });
  expect(price.status).toBe(201);
  const patient = await secretary.request('POST', '/api/patients', { givenNameLatin: 'Huda', familyNameLatin: 'Nasser', sex: 'female', birthDate: '1979-02-02', phone: '+962 79 444 1212' });

  const doctorContext = await signedInContext(suite.browser, suite.baseUrl, doctor);
  const doctorPage = await doctorContext.newPage();
  const doctorErrors = watchErrors(doctorPage);
  doctorPage.setDefaultTimeout(15_000);
  await doctorPage.goto(`${suite.baseUrl}/queue`);
  await doctorPage.getByText('Nobody is waiting for you').waitFor();
  await markPage(doctorPage);

  const deskContext = await signedInContext(suite.browser, suite.baseUrl, secretary);
  const page = await deskContext.newPage();
  const deskErrors = watchErrors(page);
  page.setDefaultTimeout(15_000);
  await page.goto(`${suite.baseUrl}/patients/${patient.body.id}`);
  await page.getByRole('heading', { name: 'Huda Nasser' }).waitFor();
  await page.getByRole('button', { name: 'Check in' }).click();
  const checkIn = page.getByRole('dialog', { name: 'Check in' });
  await checkIn.getByLabel('Doctor').selectOption({ label: 'Dr Omar Saleh' });
  await checkIn.getByRole('button', { name: 'Check in' }).click();
  await page.getByText('Huda Nasser checked in with queue number 1.').waitFor();
  // The fee is owed, so the payment opens at once; she will pay in a moment, at the board.
  const prompt = page.getByRole('dialog', { name: 'Payment: Huda Nasser' });
  await prompt.getByText('To pay: 15.000 JOD').waitFor();
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await prompt.waitFor({ state: 'hidden' });

  // The doctor's queue shows her at once, marked awaiting payment, and she cannot be called in.
  const row = doctorPage.getByRole('listitem', { name: '1 Huda Nasser' });
  await row.getByText('Awaiting payment').first().waitFor({ timeout: 10_000 });
  expect(await row.getByRole('button', { name: 'Huda Nasser is awaiting payment and cannot be called in yet' }).isDisabled()).toBe(true);
  const visitId = (await secretary.request('GET', '/api/visits/board')).body.items[0].id;
  const refused = await doctorPage.evaluate(async (id) => {
    const response = await fetch(`/api/visits/${id}/call`, { method: 'POST', headers: { 'x-requested-with': 'doctors-system', 'content-type': 'application/json' }, body: '{}' });
    return { status: response.status, body: await response.json() };
  }, visitId);
  expect(refused).toMatchObject({ status: 402, body: { error: { code: 'payment_required' } } });
  expect(await doctorPage.getByRole('button', { name: 'Call next' }).isDisabled()).toBe(true);

  // The front desk takes the payment from the board: cash, with the change worked out.
  await page.getByRole('navigation').getByRole('link', { name: 'Front desk' }).click();
  await page.getByRole('region', { name: 'Awaiting payment' }).getByRole('listitem', { name: '1 Huda Nasser' }).waitFor();
  await page.getByRole('button', { name: 'Take payment from Huda Nasser' }).click();
  const dialog = page.getByRole('dialog', { name: 'Payment: Huda Nasser' });
  await dialog.getByText('To pay: 15.000 JOD').waitFor();
  await dialog.getByRole('textbox', { name: 'Cash handed over (JOD)' }).fill('20');
  await dialog.getByText('Change to give: 5.000 JOD').waitFor();
  // A double click takes the money once.
  await dialog.getByRole('button', { name: 'Pay 15.000 JOD' }).dblclick();
  await dialog.getByText(/Paid 15\.000 JOD\. Invoice INV-\d{4}-000001 issued\./).waitFor();
  await dialog.getByText('Give back 5.000 JOD').waitFor();
  const { rows } = await suite.ctx.owner.query('SELECT count(*)::int AS n FROM payments WHERE patient_id = $1', [patient.body.id]);
  expect(rows[0].n).toBe(1);

  // The invoice PDF opens.
  const pdfHref = await dialog.getByRole('link', { name: 'Invoice PDF (Arabic)' }).getAttribute('href');
  const pdf = await page.evaluate(async (href) => {
    const response = await fetch(href!);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, type: response.headers.get('content-type'), head: String.fromCharCode(...bytes.subarray(0, 5)), size: bytes.length };
  }, pdfHref);
  expect(pdf).toMatchObject({ status: 200, type: 'application/pdf', head: '%PDF-' });
  expect(pdf.size).toBeGreaterThan(1000);
  await dialog.getByRole('button', { name: 'Close' }).last().click();

  // Without a reload, the doctor's queue shows her waiting, and calling her in works.
  await doctorPage.getByRole('button', { name: 'Call in Huda Nasser' }).waitFor({ timeout: 10_000 });
  await doctorPage.getByRole('button', { name: 'Call in Huda Nasser' }).click();
  await doctorPage.getByRole('region', { name: 'With you now' }).getByText('Huda Nasser').waitFor();
  await page.getByRole('region', { name: 'In consultation' }).getByRole('listitem', { name: '1 Huda Nasser' }).waitFor({ timeout: 10_000 });

  expect(await stillSamePage(doctorPage)).toBe(true);
  expect(deskErrors).toEqual([]);
  expect(doctorErrors).toEqual([]);
  await doctorContext.close();
  await deskContext.close();
});
