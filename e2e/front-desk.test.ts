import { expect, test } from 'vitest';
import { browserSuite, markPage, signIn, stillSamePage, watchErrors } from './browser.ts';

const suite = browserSuite();

test('a secretary registers and checks in a patient; the doctor sees them live, calls them in, and the board follows', async () => {
  const clinic = await suite.ctx.createClinic({ name: 'Hillside Clinic' });
  const secretary = await clinic.addUser('secretary', 'Sara Front');
  const doctor = await clinic.addUser('doctor', 'Dr Omar Saleh');

  const doctorContext = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const doctorPage = await doctorContext.newPage();
  const doctorErrors = watchErrors(doctorPage);
  await doctorPage.goto(suite.baseUrl);
  await signIn(doctorPage, doctor.user.username);
  await doctorPage.getByRole('heading', { name: 'My queue' }).waitFor();
  await doctorPage.getByText('Nobody is waiting for you').waitFor();
  await markPage(doctorPage);

  const secretaryContext = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await secretaryContext.newPage();
  const secretaryErrors = watchErrors(page);
  await page.goto(suite.baseUrl);
  await signIn(page, secretary.user.username);
  await page.getByRole('heading', { name: 'Front desk' }).waitFor();
  await markPage(page);

  await page.getByRole('navigation').getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('link', { name: 'Register patient' }).click();
  await page.getByRole('heading', { name: 'Register a patient' }).waitFor();

  // The form checks before it sends: an empty submit names what is missing.
  await page.getByRole('button', { name: 'Register patient' }).click();
  await page.getByText('Enter the given and family name in Latin or Arabic letters.').waitFor();
  await page.getByText('Enter a phone number.').waitFor();

  await page.getByLabel('Given name (Latin)').fill('Rania');
  await page.getByLabel('Family name (Latin)').fill('Khoury');
  await page.getByLabel('Given name (Arabic)').fill('رانيا');
  await page.getByLabel('Family name (Arabic)').fill('خوري');
  await page.getByLabel('Sex').selectOption('female');
  await page.getByLabel('Date of birth').fill('1988-04-12');
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('+962 79 555 0101');
  await page.getByRole('button', { name: 'Register patient' }).click();

  await page.getByRole('heading', { name: 'Rania Khoury' }).waitFor();
  const mrn = await page.getByLabel(/^Record number/).textContent();
  expect(mrn).toMatch(/\S/);

  await page.getByRole('button', { name: 'Check in' }).click();
  const dialog = page.getByRole('dialog', { name: 'Check in' });
  await dialog.getByLabel('Doctor').selectOption({ label: 'Dr Omar Saleh' });
  await dialog.getByRole('button', { name: 'Check in' }).click();
  await page.getByText('Rania Khoury checked in with queue number 1.').waitFor();

  // The doctor's queue fills in by itself: no reload, no click.
  const waitingRow = doctorPage.getByRole('listitem', { name: '1 Rania Khoury' });
  await waitingRow.waitFor({ timeout: 10_000 });

  await page.getByRole('navigation').getByRole('link', { name: 'Front desk' }).click();
  const waitingGroup = page.getByRole('region', { name: 'Waiting' });
  await waitingGroup.getByRole('listitem', { name: '1 Rania Khoury' }).waitFor();

  await doctorPage.getByRole('button', { name: 'Call in Rania Khoury' }).click();
  await doctorPage.getByRole('region', { name: 'With you now' }).getByText('Rania Khoury').waitFor();

  const inConsultation = page.getByRole('region', { name: 'In consultation' });
  await inConsultation.getByRole('listitem', { name: '1 Rania Khoury' }).waitFor({ timeout: 10_000 });
  expect(await waitingGroup.getByRole('listitem', { name: '1 Rania Khoury' }).count()).toBe(0);

  // A second patient arrives while the doctor is busy: calling them in is refused, and the page says why.
  const second = await secretary.request('POST', '/api/patients', { givenNameLatin: 'Fadi', familyNameLatin: 'Awad', sex: 'male', birthDate: '1990-10-10', phone: '0796667788' });
  expect((await secretary.request('POST', '/api/visits', { patientId: second.body.id })).status).toBe(201);
  await doctorPage.getByRole('button', { name: 'Call in Fadi Awad' }).click();
  await doctorPage.getByRole('alert').getByText('You already have a patient in consultation. Finish that visit first.').waitFor();

  // The front desk records that he left; the reason is optional for this exit.
  await page.getByRole('button', { name: 'Actions for Fadi Awad' }).click();
  await page.getByRole('menuitem', { name: 'Left without being seen' }).click();
  const leaving = page.getByRole('dialog', { name: 'Fadi Awad left without being seen' });
  await leaving.getByRole('textbox', { name: 'Reason' }).fill('Could not wait');
  await leaving.getByRole('button', { name: 'Left without being seen' }).click();
  await page.getByRole('region', { name: 'Left without being seen' }).getByRole('listitem', { name: '2 Fadi Awad' }).waitFor();
  await doctorPage.getByRole('listitem', { name: '2 Fadi Awad' }).waitFor({ state: 'detached', timeout: 10_000 });

  // Finishing moves the visit to the board's Completed group, again without a reload.
  await doctorPage.getByRole('button', { name: 'Finish consultation' }).click();
  await doctorPage.getByText('Consultation with Rania Khoury finished.').waitFor();
  await page.getByRole('region', { name: 'Completed' }).getByRole('listitem', { name: '1 Rania Khoury' }).waitFor({ timeout: 10_000 });

  expect(await stillSamePage(page)).toBe(true);
  expect(await stillSamePage(doctorPage)).toBe(true);
  expect(secretaryErrors).toEqual([]);
  expect(doctorErrors).toEqual([]);
  await doctorContext.close();
  await secretaryContext.close();
});

test('registering someone who is already on file offers the existing record first', async () => {
  const clinic = await suite.ctx.createClinic();
  const secretary = await clinic.addUser('secretary');
  const existing = await secretary.request('POST', '/api/patients', {
    givenNameLatin: 'Yousef',
    familyNameLatin: 'Nasser',
    sex: 'male',
    birthDate: '1979-02-03',
    phone: '0781234567',
  });
  expect(existing.status).toBe(201);

  const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${suite.baseUrl}/patients/new`);
  await signIn(page, secretary.user.username);
  await page.getByRole('heading', { name: 'Register a patient' }).waitFor();
  await page.getByLabel('Given name (Latin)').fill('Yousef');
  await page.getByLabel('Family name (Latin)').fill('Nasser');
  await page.getByLabel('Sex').selectOption('male');
  await page.getByLabel('Date of birth').fill('1979-02-03');
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('0781234567');
  await page.getByRole('button', { name: 'Register patient' }).click();

  const warning = page.getByRole('alert').filter({ hasText: 'This person may already be registered' });
  await warning.waitFor();
  await warning.getByText('Same name and date of birth').waitFor();
  await warning.getByText('Same phone').waitFor();
  await warning.getByRole('link', { name: 'Open this patient: Yousef Nasser' }).click();
  await page.getByRole('heading', { name: 'Yousef Nasser' }).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/patients/${existing.body.id}`);
  await context.close();
});
