import { expect, test } from 'vitest';
import { browserSuite, signedInContext, watchErrors } from './browser.ts';

const suite = browserSuite();

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

test('an admin adds a doctor with working hours; a secretary books, meets a clash, and cancels', async () => {
  const clinic = await suite.ctx.createClinic();
  const secretary = await clinic.addUser('secretary', 'Sara Front');
  await clinic.addUser('doctor', 'Dr Existing');
  const patient = await secretary.request('POST', '/api/patients', { givenNameLatin: 'Nadia', familyNameLatin: 'Farouk', sex: 'female', birthDate: '1993-06-01', phone: '0790001122' });
  const other = await secretary.request('POST', '/api/patients', { givenNameLatin: 'Basel', familyNameLatin: 'Qasem', sex: 'male', birthDate: '1970-12-24', phone: '0790003344' });

  const adminContext = await signedInContext(suite.browser, suite.baseUrl, clinic.admin);
  const admin = await adminContext.newPage();
  const adminErrors = watchErrors(admin);
  await admin.goto(`${suite.baseUrl}/staff`);
  await admin.getByRole('button', { name: 'Add staff member' }).click();
  const create = admin.getByRole('dialog', { name: 'Add a staff member' });
  await create.getByLabel('Role').selectOption('doctor');
  await create.getByRole('textbox', { name: 'Username' }).fill('dr.huda');
  await create.getByRole('textbox', { name: 'Display name' }).fill('Dr Huda Ali');
  await create.getByLabel(/^Password/).fill('a long enough secret');
  await create.getByLabel(/^Confirm password/).fill('a long enough secret');
  await create.getByRole('textbox', { name: 'Slot length (minutes)' }).fill('30');
  await create.getByRole('button', { name: 'Add working period' }).click();
  await create.getByRole('button', { name: 'Add working period' }).click();
  await create.getByLabel('End of period 7').fill('08:00');
  await create.getByRole('button', { name: 'Add staff member' }).click();
  await create.getByText('The period must end after it starts.').waitFor();
  await create.getByLabel('End of period 7').fill('17:00');
  await create.getByRole('button', { name: 'Add staff member' }).click();
  await admin.getByText('Dr Huda Ali added.').waitFor();
  await admin.getByRole('listitem').filter({ hasText: 'Dr Huda Ali' }).getByText('Every day 09:00–17:00 · 30 min slots').waitFor();

  const secretaryContext = await signedInContext(suite.browser, suite.baseUrl, secretary, { width: 820, height: 1180 });
  const page = await secretaryContext.newPage();
  const errors = watchErrors(page);
  await page.goto(`${suite.baseUrl}/appointments`);
  await page.getByLabel('Doctor').selectOption({ label: 'Dr Huda Ali' });
  await page.getByLabel('Date').fill(tomorrow());
  await page.getByRole('button', { name: 'Book 09:00' }).click();
  const booking = page.getByRole('dialog', { name: 'Book an appointment' });
  await booking.getByRole('searchbox', { name: 'Find the patient' }).fill('Nadia');
  await booking.getByRole('button', { name: `Choose Nadia Farouk (${patient.body.mrn})` }).click();
  await booking.getByRole('textbox', { name: 'Reason for the visit (optional)' }).fill('First visit');
  await booking.getByRole('button', { name: 'Book appointment' }).click();
  await page.getByText('Nadia Farouk booked at 09:00.').waitFor();
  await page.getByRole('listitem').filter({ hasText: 'Nadia Farouk' }).getByText('First visit').waitFor();
  // The second booking below shows the same confirmation: let this one close first, so that one is new.
  await page.getByText('Nadia Farouk booked at 09:00.').waitFor({ state: 'hidden' });

  // The same patient with another doctor at the same time: a warning to confirm, not a refusal.
  await page.getByLabel('Doctor').selectOption({ label: 'Dr Existing' });
  await page.getByRole('button', { name: 'Book 09:00' }).click();
  await booking.getByRole('searchbox', { name: 'Find the patient' }).fill('Farouk');
  await booking.getByRole('button', { name: `Choose Nadia Farouk (${patient.body.mrn})` }).click();
  await booking.getByRole('button', { name: 'Book appointment' }).click();
  const clash = booking.getByRole('alert').filter({ hasText: 'The patient already has an appointment then' });
  await clash.getByText('This patient already has an appointment with Dr Huda Ali at that time.').waitFor();
  await clash.getByRole('button', { name: 'Book anyway' }).click();
  await page.getByText('Nadia Farouk booked at 09:00.').waitFor();

  // Someone else takes the slot while the dialog is open: the refusal says why.
  await page.getByRole('button', { name: 'Book 09:15' }).click();
  await booking.getByRole('searchbox', { name: 'Find the patient' }).fill('Basel');
  await booking.getByRole('button', { name: `Choose Basel Qasem (${other.body.mrn})` }).click();
  const doctors = await secretary.request('GET', '/api/staff?role=doctor');
  const existing = doctors.body.items.find((d: { displayName: string }) => d.displayName === 'Dr Existing');
  const slots = await secretary.request('GET', `/api/appointments/slots?doctorId=${existing.id}&date=${tomorrow()}`);
  const nineFifteen = slots.body.items.find((s: { startsAt: string }) => s.startsAt.slice(11, 16) === '09:15');
  const taken = await secretary.request('POST', '/api/appointments', { doctorId: existing.id, patientId: patient.body.id, startsAt: nineFifteen.startsAt, acknowledgePatientConflict: true });
  expect(taken.status).toBe(201);
  await booking.getByRole('button', { name: 'Book appointment' }).click();
  await booking.getByText('The doctor already has an appointment at that time. Choose another slot.').waitFor();
  await booking.getByRole('button', { name: 'Cancel' }).click();
  // One dialog at a time: the booking dialog has finished closing before the next one opens.
  await booking.waitFor({ state: 'hidden' });

  await page.getByRole('button', { name: 'Actions for the appointment of Nadia Farouk' }).first().click();
  await page.getByRole('menuitem', { name: 'Cancel appointment' }).click();
  const cancel = page.getByRole('dialog', { name: 'Cancel the appointment of Nadia Farouk' });
  await cancel.getByRole('textbox', { name: 'Reason' }).waitFor();
  await expect.poll(() => cancel.getByRole('textbox', { name: 'Reason' }).evaluate((el) => el === document.activeElement)).toBe(true);
  await cancel.getByRole('button', { name: 'Cancel appointment' }).click();
  await cancel.getByText('Give a reason.').waitFor();
  await cancel.getByRole('textbox', { name: 'Reason' }).fill('Patient asked to cancel');
  await cancel.getByRole('button', { name: 'Cancel appointment' }).click();
  await page.getByText('Appointment cancelled.').waitFor();
  await page.getByRole('region', { name: 'Cancelled and no-shows' }).getByText(/Patient asked to cancel/).waitFor();

  expect(errors).toEqual([]);
  expect(adminErrors).toEqual([]);
  await adminContext.close();
  await secretaryContext.close();
});

test('saving over someone else’s change is refused and their version is shown', async () => {
  const clinic = await suite.ctx.createClinic();
  const secretary = await clinic.addUser('secretary');
  const created = await secretary.request('POST', '/api/patients', { givenNameLatin: 'Hiba', familyNameLatin: 'Saad', sex: 'female', birthDate: '2000-02-02', phone: '0795550000' });
  const context = await signedInContext(suite.browser, suite.baseUrl, secretary, { width: 390, height: 844 });
  const page = await context.newPage();
  await page.goto(`${suite.baseUrl}/patients/${created.body.id}`);
  await page.getByRole('button', { name: 'Edit' }).click();
  const saved = await secretary.request('PUT', `/api/patients/${created.body.id}`, { ...created.body, id: undefined, mrn: undefined, createdAt: undefined, updatedAt: undefined, address: 'Irbid, University Street' });
  expect(saved.status).toBe(200);
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('0795551111');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Someone else saved this patient first').waitFor();
  expect(await page.getByRole('textbox', { name: 'Address' }).inputValue()).toBe('Irbid, University Street');
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('0795551111');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Changes saved.').waitFor();
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByText('Version 3').waitFor();
  await page.getByRole('listitem').filter({ hasText: 'Phone' }).first().waitFor();
  await context.close();
});
