import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildTestApp, TEST_PASSWORD, type Session, type TestContext } from '../server/test/harness.ts';

export { TEST_PASSWORD };

const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = path.resolve('dist/web');
export const SCREENSHOT_DIR = path.resolve('test-artifacts/screenshots');

export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 820, height: 1180 },
  { width: 1440, height: 900 },
] as const;

/** Starts Debian's Chromium; without it the journeys cannot run, and they fail saying how to get it. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` and try again.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A real server on a real port with its own database, serving the built web app. */
export async function startApp(): Promise<{ ctx: TestContext; baseUrl: string }> {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error('The web app is not built: run `npm run build:web` (or `npx vite build`) first.');
  }
  const ctx = await buildTestApp({ webDist: WEB_DIST });
  return { ctx, baseUrl: await ctx.listen() };
}

export interface BrowserSuite {
  browser: Browser;
  ctx: TestContext;
  baseUrl: string;
}

/**
 * Chromium and a served app for the tests of one file: started before them, closed after them. The
 * fields are filled in by the time a test runs.
 */
export function browserSuite(): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.browser = await launchBrowser();
    Object.assign(suite, await startApp());
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.ctx?.close();
  });
  return suite;
}

/** Collects uncaught page errors, so a journey can assert the app never crashed on the way. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A browser context already signed in as `session`, by handing it the session cookie. */
export async function signedInContext(
  browser: Browser,
  baseUrl: string,
  session: Session,
  viewport: { width: number; height: number } = VIEWPORTS[2],
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
  const [name, ...value] = session.cookie.split(';')[0].split('=');
  await context.addCookies([{ name, value: value.join('='), url: baseUrl }]);
  return context;
}

export async function signIn(page: Page, username: string, password = TEST_PASSWORD): Promise<void> {
  // Playwright's label text includes the required-field asterisk, so match by role or by the label's start.
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Marks the page so a later check can prove it was never reloaded. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __journeyMark: true }));
}

export async function stillSamePage(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __journeyMark?: boolean }).__journeyMark === true);
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // The header is fixed: from the top, a full-page shot shows it where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage, animations: 'disabled' });
}
