import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { browserSuite, signIn, watchErrors } from './browser.ts';

const suite = browserSuite();

const ADMIN = { username: 'clinic.admin', password: 'a long enough secret', name: 'Huda Admin' };

async function expireSessions() {
  await suite.ctx.owner.query("UPDATE sessions SET last_seen_at = now() - interval '1 day'");
}

async function bodyText(page: Page) {
  return page.locator('body').innerText();
}

test('first run: set up the clinic, sign out, sign in, and be sent back to sign-in when the session ends', async () => {
  const context = await suite.browser.newContext({ viewport: { width: 820, height: 1180 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(suite.baseUrl);

  await page.getByRole('heading', { name: 'Set up your clinic' }).waitFor();
  await page.getByRole('button', { name: 'Create clinic and sign in' }).click();
  await page.getByText('Enter a three-letter currency code, for example JOD.').waitFor();
  await page.getByText('The password must have at least 10 characters.').first().waitFor();

  await page.getByRole('textbox', { name: 'Clinic name' }).fill('Riverside Family Clinic');
  const zone = page.getByRole('combobox', { name: 'Time zone' });
  await zone.click();
  await zone.fill('Asia/Amm');
  await page.getByRole('option', { name: 'Asia/Amman' }).click();
  await page.getByRole('textbox', { name: 'Currency' }).fill('jod');
  await page.getByRole('textbox', { name: 'Username' }).fill(ADMIN.username);
  await page.getByRole('textbox', { name: 'Display name' }).fill(ADMIN.name);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByLabel(/^Confirm password/).fill('something else entirely');
  await page.getByRole('button', { name: 'Create clinic and sign in' }).click();
  await page.getByText('The two passwords do not match.').waitFor();
  await page.getByLabel(/^Confirm password/).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create clinic and sign in' }).click();

  await page.getByRole('heading', { name: 'Front desk' }).waitFor();
  await page.getByText('Riverside Family Clinic').waitFor();
  const clinic = await suite.ctx.owner.query('SELECT time_zone, currency FROM clinics');
  expect(clinic.rows).toEqual([{ time_zone: 'Asia/Amman', currency: 'JOD' }]);

  await page.getByRole('button', { name: `Account menu for ${ADMIN.name}` }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();

  await signIn(page, ADMIN.username, 'not the password at all');
  await page.getByText('The username or password is not correct.').waitFor();
  await signIn(page, 'nobody-by-this-name', ADMIN.password);
  await page.getByText('The username or password is not correct.').waitFor();
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('heading', { name: 'Front desk' }).waitFor();

  // The session ends on the server; the next call the page makes brings it back to sign-in, emptied.
  await page.getByRole('navigation').getByRole('link', { name: 'Staff' }).click();
  await page.getByRole('listitem').filter({ hasText: ADMIN.username }).waitFor();
  await expireSessions();
  await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
  await page.getByText('Your session has ended. Please sign in again.').waitFor();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(await bodyText(page)).not.toContain(ADMIN.username);
  expect(await bodyText(page)).not.toContain('Riverside Family Clinic');

  // The same happens with no click at all: the event stream says the session ended.
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await expireSessions();
  const other = await suite.ctx.app.fastify.inject({
    method: 'POST',
    url: '/api/auth/login',
    headers: { 'x-requested-with': 'doctors-system' },
    payload: { username: ADMIN.username, password: ADMIN.password },
  });
  const cookie = other.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const created = await suite.ctx.app.fastify.inject({
    method: 'POST',
    url: '/api/staff',
    headers: { 'x-requested-with': 'doctors-system', cookie },
    payload: { username: 'new.secretary', displayName: 'New Secretary', role: 'secretary', password: 'another long secret' },
  });
  expect(created.statusCode).toBe(201);
  await page.getByText('Your session has ended. Please sign in again.').waitFor({ timeout: 10_000 });
  expect(await bodyText(page)).not.toContain(ADMIN.name);

  expect(errors).toEqual([]);
  await context.close();
});
