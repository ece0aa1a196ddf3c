import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Screenshots of the browser tests: kept as artifacts of the run, never committed. */
export const RESULTS = path.resolve(__dirname, '..', '..', 'test-results');

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Page errors and console errors seen so far: a test ends by expecting none. */
  problems: string[];
}

/** Headless Chromium on the app at `baseUrl`, one page of the given width, its errors collected. */
export async function openBrowserPage(baseUrl: string, viewport = { width: 1366, height: 900 }): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await (await browser.newContext({ baseURL: baseUrl, viewport })).newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon/.test(message.location().url)) problems.push(`console: ${message.text()}`);
  });
  fs.mkdirSync(RESULTS, { recursive: true });
  return { browser, page, problems };
}

/** Signs in through the login form and waits for the home page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
}

/**
 * A browser test's first step: without Chromium it is skipped on a developer's machine, but CI must
 * have it, so there the run fails naming the path instead of passing without a browser.
 */
export function requireChromium(test: { skip(): void }): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (!process.env.CI) test.skip();
  throw new Error(`CI needs chromium at ${CHROMIUM} for the browser tests (apt-get install chromium)`);
}
