import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { history, jobCounts, jobs, permissionGroups, shopList, shopRecord, templateEngine } from './template-fixtures';
import { jobCountsChart, totals } from '../../modules/base/jobs/job-chart';

const ROOT = path.resolve(__dirname, '../..');

/** Markup the CSP (script-src 'self') would block or that would let page data run as script. */
function assertCspSafe(html: string): void {
  expect(html, 'inline script').not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html, 'inline handler').not.to.match(/\son[a-z]+\s*=/i);
  expect(html, 'inline style').not.to.match(/\sstyle\s*=/i);
  expect(html, 'javascript: url').not.to.match(/javascript:/i);
}

describe('shell and base templates', () => {
  const engine = templateEngine('<section class="card">panel</section>');

  it('every template compiles', () => {
    const dirs = ['views', 'views/partials', 'views/errors', 'views/resources', 'views/imports', 'modules/base/views'];
    for (const dir of dirs) {
      for (const file of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.hbs'))) {
        expect(() => engine.hb.precompile(fs.readFileSync(path.join(ROOT, dir, file), 'utf8')), `${dir}/${file}`).not.to.throw();
      }
    }
  });

  it('the layout carries the CSRF meta tag, assets, company switcher, user menu and escaped flash', () => {
    const html = engine.page('modules/base/views/dashboard.hbs', { greeting: 'Hello', firstName: 'Ada' });
    expect(html).to.contain('<meta name="csrf-token" content="csrf-token-value">');
    expect(html).to.contain('href="/static/shell/tessera.css"');
    expect(html).to.match(/<script src="\/static\/shell\/tessera.js" defer><\/script>/);
    expect(html).to.match(/<form class="company-switcher" method="post" action="\/session\/company">/);
    expect(html).to.match(/<option value="1" selected>Demo Retail Ltd<\/option>/);
    expect(html).to.contain('action="/logout"');
    expect(html).to.contain('href="/account/password"');
    expect(html).to.contain('Saved &lt;b&gt;ok&lt;/b&gt;.');
    expect(html).to.contain('aria-current="page">Shops</a>');
    expect(html).to.contain('panel</section>');
    assertCspSafe(html);
  });

  it('the field partial shows errors beside the field, wired for assistive technology', () => {
    const html = engine.hb.compile('{{> shell/field label="Code" name="code" type="text" value="x<y" error="is required" hint="Short"}}')({});
    expect(html).to.contain('aria-invalid="true"');
    expect(html).to.contain('aria-describedby="field-code-error field-code-hint"');
    expect(html).to.contain('<p class="field-error" id="field-code-error">is required</p>');
    expect(html).to.contain('value="x&lt;y"');
    const select = engine.hb.compile('{{> shell/field label="C" name="c" type="select" value="b" options=opts}}')({ opts: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] });
    expect(select).to.match(/<option value="b" selected>B<\/option>/);
    const box = engine.hb.compile('{{> shell/field label="Active" name="is_active" type="checkbox" value=true}}')({});
    expect(box).to.match(/type="checkbox"[^>]*checked/);
  });

  it('pagination keeps the query and adds the cursor', () => {
    const html = engine.hb.compile('{{> shell/pagination next_cursor="abc"}}')({ query: { q: 'ma', after: 'prev' } });
    expect(html).to.contain('href="?q=ma&amp;after=abc"');
    expect(html).to.contain('href="?q=ma"');
  });

  it('renders the entity pages core derives for every entity (here base\'s shops)', () => {
    const list = engine.page('views/resources/list.hbs', { list: shopList, query: { sort: 'name' } });
    expect(list).to.contain('href="/admin/shops/new"');
    expect(list).to.contain('Northwind Trading');
    expect(list).to.contain('?sort=name&amp;trail=0&amp;after=abc" rel="next"');
    expect(list).to.contain('<strong>2 shops</strong>');
    expect(list).to.contain('<input type="checkbox" name="ids" value="1" form="bulk-form"');
    expect(list).to.contain('<th scope="col" aria-sort="ascending"><a class="sort-link" href="?sort=-name">Name');
    expect(list).to.contain('<span class="badge badge-inactive">inactive</span>');
    expect(list).to.contain('&lt;script&gt;');
    assertCspSafe(list);
    const form = engine.page('views/resources/record.hbs', { record: shopRecord({ errors: { code: 'is already used by another shop' }, formError: 'Another shop of this company has this code', history }) });
    expect(form).to.contain('action="/admin/shops/1"');
    expect(form).to.contain('<p class="field-error" id="field-code-error">is already used by another shop</p>');
    expect(form).to.contain('Another shop of this company has this code');
    expect(form).to.contain('Main St</td>');
    expect(form).to.contain('name="_csrf" value="csrf-token-value"');
    expect(form).to.contain('panel</section>');
    assertCspSafe(form);
    const readOnly = engine.page('views/resources/record.hbs', { record: shopRecord({ form: null, history: null }) });
    expect(readOnly).not.to.contain('<form method="post" action="/admin/shops/1"');
    expect(readOnly).to.contain('<dt>Code</dt><dd class="mono">MAIN</dd>');
    expect(readOnly).not.to.contain('History');
    const fresh = engine.page('views/resources/record.hbs', { record: shopRecord({ row: null, title: 'New shop', companies: [{ id: 1, name: 'Demo Retail Ltd', selected: true }, { id: 2, name: 'Northwind Trading', selected: false }] }) });
    expect(fresh).to.contain('<select id="field-company_id" name="company_id">');
    expect(fresh).not.to.contain('Delete');
    assertCspSafe(fresh);
  });

  it('renders the role form with permissions grouped by module, ungrantable ones disabled', () => {
    const html = engine.page('modules/base/views/role-form.hbs', {
      role: { id: 5, name: 'Clerk', description: '', is_super_admin: false, permissions: ['core.user.read'], company_id: 1 },
      values: { name: 'Clerk', description: '', permissions: ['core.user.read'], company_id: '1' },
      groups: permissionGroups,
      editable: true,
      canShare: false,
      errors: { permissions: 'you cannot grant what you do not hold: crm.customer.read' },
      formError: 'You can only grant permissions you hold yourself',
      history,
    });
    expect(html).to.contain('data-module="core"');
    expect(html).to.contain('data-module="crm"');
    expect(html).to.match(/value="crm.customer.read" disabled/);
    expect(html).to.match(/value="core.user.read" checked>/);
    expect(html).to.contain('You can only grant permissions you hold yourself');
    assertCspSafe(html);
  });

  it('renders users, companies, tokens, jobs, settings, audit and the account pages', () => {
    const user = { id: 2, email: 'bob@example.com', name: 'Bob', is_active: true, company_ids: [1], role_ids: [5], last_login_at: null };
    const pages: Array<[string, Record<string, unknown>]> = [
      ['modules/base/views/users-list.hbs', { rows: [{ ...user, role_names: ['Clerk'] }], showRoles: true, next_cursor: null, q: 'b', query: { q: 'b' } }],
      ['modules/base/views/user-form.hbs', { user, isSelf: false, values: user, roleChoices: [{ id: 5, name: 'Clerk', description: 'Shop staff', is_super_admin: false, checked: true, assignable: true }, { id: 1, name: 'Super admin', description: '', is_super_admin: true, checked: false, assignable: false }], errors: {}, formError: null, history }],
      ['modules/base/views/user-form.hbs', { user: null, isSelf: false, values: { company_ids: [1], role_ids: [] }, roleChoices: [], errors: { email: 'must be an e-mail address' }, formError: 'Invalid field: email', history: null }],
      ['modules/base/views/companies-list.hbs', { rows: [{ id: 1, code: 'DEMO', name: 'Demo', currency: 'EUR', timezone: 'UTC' }], canCreate: true }],
      ['modules/base/views/company-form.hbs', { company: null, values: { currency: 'EUR', timezone: 'UTC' }, errors: {}, currencies: [{ value: 'EUR', label: 'EUR — Euro', selected: true }], timezones: [{ value: 'UTC', label: 'UTC', selected: true }], history: null }],
      ['modules/base/views/roles-list.hbs', { rows: [{ id: 1, company_id: null, name: 'Super admin', description: '', is_super_admin: true, permissions: [] }] }],
      ['modules/base/views/tokens.hbs', { rows: [{ id: 1, name: 'Website', prefix: 'tsr_abcdefgh', created_at: new Date(), last_used_at: null }], created: { token: 'tsr_secret', name: 'Website' }, values: {}, errors: {}, formError: null }],
      ['modules/base/views/jobs.hbs', { backend: 'database (embedded)', queueState: { reachable: true, problem: null }, counts: jobCounts, totals: totals(jobCounts as any), chart: jobCountsChart(jobCounts as any), ...jobs, waiting: [] }],
      ['modules/base/views/settings.hbs', {}],
      ['modules/base/views/audit.hbs', { table: 'base_shops', id: 1, entries: history, back: '/admin/shops/1' }],
      ['views/account-password.hbs', { errors: { current_password: 'does not match your password' }, formError: 'x', passwordHint: 'At least 8 characters.' }],
      ['views/errors/404.hbs', {}],
      ['views/errors/403.hbs', { message: 'Missing permission: base.shop.manage' }],
      ['views/errors/500.hbs', { requestId: 'req-1' }],
      ['views/errors/503.hbs', { message: 'The job queue is unreachable (Redis at redis:6379 does not answer: connect ECONNREFUSED); nothing was queued. Try again in a moment.' }],
    ];
    for (const [file, data] of pages) {
      const html = engine.page(file, data);
      expect(html, file).to.contain('</html>');
      assertCspSafe(html);
    }
    const jobsHtml = engine.page('modules/base/views/jobs.hbs', { backend: 'x', queueState: { reachable: true, problem: null }, counts: jobCounts, totals: totals(jobCounts as any), chart: jobCountsChart(jobCounts as any), ...jobs, waiting: [] });
    expect(jobsHtml).not.to.contain('The job queue is unreachable');
    expect(jobsHtml).not.to.contain('<th scope="col">Company</th>');
    expect(jobsHtml).to.contain('data-job-url="/admin/jobs/17/status"');
    expect(jobsHtml).to.contain('data-chart="{&quot;type&quot;:&quot;bar&quot;');
    expect(jobsHtml).to.contain('action="/admin/jobs/12/retry"');
    expect(jobsHtml).to.contain('Error: disk full');
  });

  it('says on the jobs page when the queue is unreachable, and names each job\'s company to users of several', () => {
    const queueState = { reachable: false, problem: 'Redis at redis.local:6379 does not answer: connect ECONNREFUSED' };
    const html = engine.page('modules/base/views/jobs.hbs', { backend: 'Redis (bull)', queueState, showCompany: true, counts: jobCounts, totals: totals(jobCounts as any), chart: null, ...jobs, waiting: [] });
    expect(html).to.contain('The job queue is unreachable: Redis at redis.local:6379 does not answer: connect ECONNREFUSED.');
    expect(html).to.contain('<th scope="col">Company</th>');
    expect(html).to.contain('<td>Demo Company</td>');
    const panel = engine.standalone('modules/base/views/panel-jobs.hbs', { jobTotals: totals(jobCounts as any), queueState });
    expect(panel).to.contain('The job queue is unreachable');
    expect(engine.standalone('modules/base/views/panel-jobs.hbs', { jobTotals: totals(jobCounts as any), queueState: { reachable: true, problem: null } })).not.to.contain('unreachable');
  });

  it('renders the standalone login page', () => {
    const html = engine.standalone('views/login.hbs', { error: 'Wrong e-mail or password', values: { email: 'a@b.c' }, flash: [] });
    expect(html).to.contain('action="/login"');
    expect(html).to.contain('name="_csrf" value="csrf-token-value"');
    expect(html).to.contain('Wrong e-mail or password');
    expect(html).not.to.contain('class="sidebar"');
    assertCspSafe(html);
  });
});
