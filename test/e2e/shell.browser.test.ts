/**
 * The shell in a real browser: sign-in through the form, the side menu trimmed to the user's
 * permissions, the 403 page, sign-out; an administrator sees every menu entry. Screenshots go to
 * test-results/ (gitignored) for a look at the CSS.
 *
 * Needs Debian's chromium (`apt-get install chromium`); without it the test is skipped, except in CI
 * (CI set) where it must run. CHROMIUM_PATH overrides the executable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, TestApp, TestUser } from '../support/harness';
import type { MenuDeclaration as MenuEntry } from '../../core/modules/manifest';
import { CHROMIUM, RESULTS, requireChromium } from '../support/browser-page';


describe('shell in a browser @integration', function () {
  this.timeout(90_000);

  let t: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let menus: MenuEntry[];

  before(async function () {
    requireChromium(this);
    t = await startTestApp();
    baseUrl = await t.listen();
    menus = t.kernel.manifests.flatMap((m) => m.menus);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  /** A fresh browser profile (no cookies), with console errors and failed requests collected. */
  async function openContext(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      // The 403 document is expected; anything else is a defect (the shell declares an inline favicon).
      if (/^Failed to load resource/.test(message.text()) && /status of 403/.test(message.text())) return;
      problems.push(`console: ${message.text()} (${where})`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      // Only the documents this test asks for may fail (the 403 page); an asset, a favicon or a script may not.
      const expected = response.request().resourceType() === 'document' && response.status() === 403;
      if (response.status() >= 400 && !expected) problems.push(`${response.status()}: ${response.url()}`);
    });
    return { context, page, problems };
  }

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
  }

  async function signOut(page: Page, screenshot?: string): Promise<void> {
    await page.locator('.user-menu summary').click();
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).to.equal(true);
    if (screenshot) await page.screenshot({ path: screenshotPath(screenshot) });
    await Promise.all([page.waitForURL((url) => url.pathname === '/login'), page.getByRole('button', { name: 'Log out' }).click()]);
  }

  /** Every entry of the side menu, top level and children, as `{label, href}`. */
  async function sideMenu(page: Page): Promise<Array<{ label: string; href: string }>> {
    return page.locator('nav.sidebar a').evaluateAll((links) =>
      links.map((a) => ({ label: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' })),
    );
  }

  /** The menu entries a user holding `permissions` (implications included) may open. */
  function entriesFor(permissions: ReadonlySet<string>): { allowed: MenuEntry[]; denied: MenuEntry[] } {
    const may = (e: MenuEntry) => e.permission === 'authenticated' || permissions.has(e.permission);
    return { allowed: menus.filter(may), denied: menus.filter((e) => !may(e)) };
  }

  function screenshotPath(name: string): string {
    return path.join(RESULTS, `${name}.png`);
  }

  describe('a user with a few permissions', () => {
    let user: TestUser;
    let granted: string;
    let allowedPage: string;
    let forbiddenPage: string;

    before(async function () {
      if (!t) return this.skip();
      const hasCrm = t.kernel.installed.some((s) => s.manifest.name === 'crm');
      granted = hasCrm ? 'crm.customer.read' : 'core.user.read';
      allowedPage = hasCrm ? '/crm/customers' : '/admin/users';
      forbiddenPage = '/admin/roles';
      user = await t.createUser({ permissions: [granted] });
    });

    it('signs in through the form, sees only its menu entries, gets the 403 page, signs out', async () => {
      const { context, page, problems } = await openContext();
      try {
        // A page that needs a session sends to the sign-in form, which comes back to it afterwards.
        const login = await page.goto(allowedPage);
        expect(new URL(page.url()).pathname).to.equal('/login');
        expect(login?.status()).to.equal(200);
        await page.screenshot({ path: screenshotPath('login'), fullPage: true });
        await signIn(page, user.email, user.password);
        expect(new URL(page.url()).pathname).to.equal(allowedPage);
        expect(await page.locator('main#main h1').first().isVisible()).to.equal(true);

        const permissions = t.kernel.catalog.expand([granted]);
        const { allowed, denied } = entriesFor(permissions);
        const shown = await sideMenu(page);
        const shownLabels = shown.map((e) => e.label);
        for (const entry of allowed) expect(shownLabels, `menu entry "${entry.label}" (${entry.permission})`).to.include(entry.label);
        // Roles and Jobs (and Users, unless granted) are among the hidden entries, and hidden they are.
        const deniedPermissions = denied.map((e) => e.permission);
        for (const p of ['core.role.read', 'core.jobs.manage', 'core.company.read']) expect(deniedPermissions).to.include(p);
        if (granted !== 'core.user.read') expect(deniedPermissions).to.include('core.user.read');
        for (const entry of denied) {
          // A forbidden parent stays as a heading only when one of its children is allowed (its link then leads to the child).
          const heading = allowed.some((child) => child.parent === entry.id);
          const sameLabel = allowed.some((other) => other.label === entry.label);
          if (!heading && !sameLabel) expect(shownLabels, `menu entry "${entry.label}" (${entry.permission}) must be hidden`).not.to.include(entry.label);
        }
        // The menu links only to pages the user may open.
        const deniedPaths = denied.filter((e) => !allowed.some((a) => a.path === e.path)).map((e) => e.path);
        for (const link of shown) expect(deniedPaths, `link ${link.label} -> ${link.href}`).not.to.include(link.href);
        // The entry of the current page is marked.
        expect(await page.locator('nav.sidebar a[aria-current="page"]').count()).to.be.greaterThan(0);
        await page.screenshot({ path: screenshotPath('shell-limited-user'), fullPage: true });

        // A page beyond the user's permissions: the shell's 403 page, menus still trimmed.
        const forbidden = await page.goto(forbiddenPage);
        expect(forbidden?.status()).to.equal(403);
        expect(await page.locator('.error-page').textContent()).to.contain('Not allowed');
        const rolesEntry = denied.find((e) => e.permission === 'core.role.read')!;
        expect((await sideMenu(page)).map((e) => e.label)).not.to.include(rolesEntry.label);
        await page.screenshot({ path: screenshotPath('shell-403'), fullPage: true });

        await signOut(page);
        const after = await page.goto(allowedPage);
        expect(after?.status()).to.equal(200);
        expect(new URL(page.url()).pathname).to.equal('/login');
        expect(problems, problems.join('\n')).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  });

  describe('the administrator', () => {
    it('sees every menu entry of every installed module', async function () {
      if (!t) return this.skip();
      const { context, page, problems } = await openContext();
      try {
        await page.goto('/login');
        await signIn(page, t.admin.email, t.admin.password);
        expect(new URL(page.url()).pathname).to.equal('/');
        const shownLabels = (await sideMenu(page)).map((e) => e.label);
        for (const entry of menus) expect(shownLabels, `menu entry "${entry.label}"`).to.include(entry.label);
        await page.screenshot({ path: screenshotPath('shell-admin-dashboard'), fullPage: true });

        // Open the settings group and a list page, to see the shell around a module's table.
        const users = menus.find((e) => e.path === '/admin/users');
        if (users) {
          await page.goto(users.path);
          expect((await sideMenu(page)).map((e) => e.label)).to.include(users.label);
          await page.screenshot({ path: screenshotPath('shell-admin-users'), fullPage: true });
        }
        await signOut(page, 'shell-admin-user-menu');
        expect(problems, problems.join('\n')).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  });
});
