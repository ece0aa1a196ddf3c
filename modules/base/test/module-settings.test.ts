import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { ROOT_DIR, startTestApp, type TestApp, type TestAgent } from 'tessera/testing';
import { baseTestApp, bearer, unique } from './base-test-app';

/**
 * Settings → Module settings over crm's schema (customer code format, custom fields). Each test works
 * in companies of its own: the demo company's crm settings are what the crm tests expect.
 */
describe('base: module settings pages and API', () => {
  let t: TestApp;

  before(async () => {
    t = await baseTestApp();
  });

  const api = () => supertest(t.app);

  async function newCompany(name = 'Settings Co'): Promise<number> {
    const now = new Date();
    const [id] = await t.knex('core_companies').insert({ code: unique('SET'), name: `${name} ${unique('')}`, currency: 'EUR', timezone: 'UTC', created_at: now, updated_at: now });
    return Number(id);
  }

  /** A settings manager alone in a new company, signed in. */
  async function manager(extra: string[] = []): Promise<{ companyId: number; agent: TestAgent; email: string; id: number }> {
    const companyId = await newCompany();
    const user = await t.createUser({ permissions: ['core.settings.manage', ...extra], companyIds: [companyId] });
    return { companyId, agent: await t.login(user.email, user.password), email: user.email, id: user.id };
  }

  async function stored(companyId: number, module = 'crm'): Promise<Record<string, any> | null> {
    const row = await t.knex('core_settings').where({ company_id: companyId, module }).first();
    return row ? JSON.parse(row.value) : null;
  }

  /** The form as it is shown, so a post sends every input the way a browser would. */
  function formOf(html: string): Record<string, string> {
    const form: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="(?:text|number|date|hidden)"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"/g)) form[m[1]] = decode(m[2]);
    for (const m of html.matchAll(/<input type="checkbox"[^>]*?name="([^"]+)" value="1"[^>]*?>/g)) if (/ checked/.test(m[0])) form[m[1]] = '1';
    for (const m of html.matchAll(/<textarea[^>]*?name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) form[m[1]] = decode(m[2]);
    for (const m of html.matchAll(/<select[^>]*?name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) form[m[1]] = decode(/<option value="([^"]*)" selected>/.exec(m[2])?.[1] ?? '');
    delete form._csrf;
    return form;
  }

  function decode(text: string): string {
    return text.replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');
  }

  it('lists the modules with settings, linked from the settings index and the menu', async () => {
    const { agent } = await manager();
    const index = await agent.get('/admin').expect(200);
    expect(index.text).to.contain('href="/admin/settings"');
    expect(index.text).to.contain('Module settings');

    const list = await agent.get('/admin/settings').expect(200);
    expect(list.text).to.contain('data-module="crm"');
    expect(list.text).to.contain('href="/admin/settings/crm"');
    expect(list.text).to.contain('Customers, family sub-accounts');
    // base declares no setting: nothing to edit.
    expect(list.text).not.to.contain('data-module="base"');
    await agent.get('/admin/settings/base').expect(404);
    await agent.get('/admin/settings/nothing_here').expect(404);
    await agent.post('/admin/settings/nothing_here', {}).expect(404);
  });

  it('generates the form from the schema: text input, table rows with select, checkbox and one-per-line list', async () => {
    const { agent } = await manager();
    const page = await agent.get('/admin/settings/crm').expect(200);
    expect(page.text).to.contain('Customer code format');
    expect(page.text).to.match(/<input type="text" id="field-customer_code_format" name="customer_code_format" value="CU-\{seq:6\}"/);
    expect(page.text).to.contain('Customer custom fields');
    expect(page.text).to.contain('name="custom_fields.0.key"');
    expect(page.text).to.match(/<select id="field-custom_fields.0.type" name="custom_fields.0.type"/);
    expect(page.text).to.contain('<option value="select">select</option>');
    expect(page.text).to.match(/<input type="checkbox" id="field-custom_fields.0.required" name="custom_fields.0.required"/);
    expect(page.text).to.match(/<textarea id="field-custom_fields.0.options" name="custom_fields.0.options"/);
    // No items yet: blank rows only, with no "remove" box.
    expect(page.text).to.contain('name="custom_fields.2.key"');
    expect(page.text).not.to.contain('name="_remove.custom_fields.0"');
  });

  it('changes the customer code format through the form; crm numbers the next customer with it', async () => {
    const { agent, companyId, email } = await manager();
    const writer = await t.createUser({ permissions: ['crm.customer.write', 'base.shop.manage'], companyIds: [companyId] });
    const token = await t.token(writer.email);
    const shop = await api().post('/api/v1/base/shops').set(bearer(token)).send({ code: 'S1', name: 'Settings shop' }).expect(201);

    const form = formOf((await agent.get('/admin/settings/crm').expect(200)).text);
    const saved = await agent.post('/admin/settings/crm', { ...form, customer_code_format: 'VIP-{year}-{seq:4}' }).expect(302);
    expect(saved.headers.location).to.equal('/admin/settings/crm');
    const shown = await agent.get('/admin/settings/crm').expect(200);
    expect(shown.text).to.contain('Settings of CRM saved.');
    expect(shown.text).to.contain('value="VIP-{year}-{seq:4}"');
    expect((await stored(companyId))!.customer_code_format).to.equal('VIP-{year}-{seq:4}');

    const customer = await api().post('/api/v1/crm/customers').set(bearer(token)).send({ last_name: 'Format', shop_id: shop.body.id }).expect(201);
    expect(customer.body.code).to.match(/^VIP-\d{4}-\d{4}$/);
    expect(customer.body.code.endsWith("-0001")).to.equal(true);

    // The API reads the same value; the user never saw another company's settings.
    const own = await api().get('/api/v1/base/settings/crm').set(bearer(await t.token(email))).expect(200);
    expect(own.body.customer_code_format).to.equal('VIP-{year}-{seq:4}');
  });

  it('keeps settings per company: another company keeps its own format and customer codes', async () => {
    const first = await manager();
    const second = await manager();
    await first.agent.post('/admin/settings/crm', { customer_code_format: 'ONE{seq:3}' }).expect(302);
    await second.agent.post('/admin/settings/crm', { customer_code_format: 'TWO{seq:3}' }).expect(302);
    expect((await stored(first.companyId))!.customer_code_format).to.equal('ONE{seq:3}');
    expect((await stored(second.companyId))!.customer_code_format).to.equal('TWO{seq:3}');

    const untouched = await newCompany('Untouched');
    expect(await stored(untouched)).to.equal(null);
    const reader = await t.createUser({ permissions: ['core.settings.manage'], companyIds: [untouched] });
    const values = await api().get('/api/v1/base/settings/crm').set(bearer(await t.token(reader.email))).expect(200);
    expect(values.body).to.deep.equal({ customer_code_format: 'CU-{seq:6}', custom_fields: [] });

    // The demo company of the other tests is left alone too.
    const demo = await t.knex('core_settings').where({ company_id: t.companyId, module: 'crm' }).first();
    if (demo) expect(JSON.parse(demo.value).customer_code_format).not.to.match(/^(ONE|TWO)/);
  });

  it('adds a custom field in a blank row and removes one with its box; fully empty rows are dropped', async () => {
    const { agent, companyId } = await manager();
    let form = formOf((await agent.get('/admin/settings/crm').expect(200)).text);
    await agent
      .post('/admin/settings/crm', {
        ...form,
        // Rows 0 and 2 filled, row 1 left empty.
        'custom_fields.0.key': 'loyalty_tier',
        'custom_fields.0.label': 'Loyalty tier',
        'custom_fields.0.type': 'select',
        'custom_fields.0.options': 'Bronze\r\nSilver\r\n\r\n Gold \r\n',
        'custom_fields.0.required': '1',
        'custom_fields.2.key': 'anniversary',
        'custom_fields.2.label': 'Anniversary',
        'custom_fields.2.type': 'date',
      })
      .expect(302);
    expect((await stored(companyId))!.custom_fields).to.deep.equal([
      { key: 'loyalty_tier', label: 'Loyalty tier', type: 'select', options: ['Bronze', 'Silver', 'Gold'], required: true },
      { key: 'anniversary', label: 'Anniversary', type: 'date', options: [], required: false },
    ]);

    // crm's customer form now has the field.
    const writer = await t.createUser({ permissions: ['crm.customer.write'], companyIds: [companyId] });
    const crmPage = await (await t.login(writer.email, writer.password)).get('/crm/customers/new').expect(200);
    expect(crmPage.text).to.contain('Loyalty tier');

    const page = (await agent.get('/admin/settings/crm').expect(200)).text;
    expect(page).to.contain('value="loyalty_tier"');
    expect(page).to.match(/<textarea id="field-custom_fields.0.options" name="custom_fields.0.options"[^>]*>Bronze\nSilver\nGold<\/textarea>/);
    expect(page).to.contain('name="_remove.custom_fields.0"');
    form = formOf(page);
    await agent.post('/admin/settings/crm', { ...form, '_remove.custom_fields.0': '1' }).expect(302);
    expect((await stored(companyId))!.custom_fields.map((f: any) => f.key)).to.deep.equal(['anniversary']);
  });

  it('shows errors beside the fields on invalid values, keeps what was typed and stores nothing', async () => {
    const { agent, companyId } = await manager();
    await agent.post('/admin/settings/crm', { customer_code_format: 'K{seq:5}', 'custom_fields.0.key': 'size', 'custom_fields.0.label': 'Size' }).expect(302);
    const before = await t.knex('core_settings').where({ company_id: companyId, module: 'crm' }).first();
    const audits = await t.knex('core_audit_log').where({ record_table: 'core_settings', record_id: companyId }).count({ n: '*' }).first();

    const form = formOf((await agent.get('/admin/settings/crm').expect(200)).text);
    const invalid = await agent
      .post('/admin/settings/crm', {
        ...form,
        customer_code_format: 'NO-SEQUENCE',
        // The existing row is removed, so the new row (shown second) is item 0 of what is validated.
        '_remove.custom_fields.0': '1',
        'custom_fields.2.key': 'BadKey',
        'custom_fields.2.label': 'Bad key',
      })
      .expect(422);
    expect(invalid.text).to.contain('Nothing was saved');
    expect(invalid.text).to.match(/<p class="field-error" id="field-customer_code_format-error">must match pattern/);
    expect(invalid.text).to.contain('value="NO-SEQUENCE"');
    // The bad key is shown in row 2 (the removed row stays ticked above it), its error beside it.
    expect(invalid.text).to.match(/name="custom_fields.1.key" value="BadKey" aria-label="Key, row 2" aria-invalid="true" aria-describedby="field-custom_fields.1.key-error">\s*<p class="field-error" id="field-custom_fields.1.key-error">must match pattern/);
    expect(invalid.text).to.match(/name="_remove.custom_fields.0" value="1" aria-label="Remove row 1" checked>/);
    expect(invalid.text).not.to.contain('field-custom_fields.0.key-error');

    // A required cell left empty in a row with something in it.
    const missing = await agent.post('/admin/settings/crm', { ...form, 'custom_fields.1.label': 'No key' }).expect(422);
    expect(missing.text).to.match(/id="field-custom_fields.1.key-error">is required/);

    const after = await t.knex('core_settings').where({ company_id: companyId, module: 'crm' }).first();
    expect(after.value).to.equal(before.value);
    const auditsAfter = await t.knex('core_audit_log').where({ record_table: 'core_settings', record_id: companyId }).count({ n: '*' }).first();
    expect(Number(auditsAfter!.n)).to.equal(Number(audits!.n));
  });

  it('records each change in the audit log and shows it to auditors on the page', async () => {
    const { agent, companyId, id } = await manager(['core.audit.read']);
    await agent.post('/admin/settings/crm', { customer_code_format: 'AUD{seq:4}' }).expect(302);
    const entries = await t.knex('core_audit_log').where({ record_table: 'core_settings', record_id: companyId, company_id: companyId });
    expect(entries).to.have.length(1);
    expect(Number(entries[0].actor_id)).to.equal(id);
    const changes = JSON.parse(entries[0].changes);
    expect(changes.module).to.equal('crm');
    expect(changes.from.customer_code_format).to.equal('CU-{seq:6}');
    expect(changes.to.customer_code_format).to.equal('AUD{seq:4}');

    const page = await agent.get('/admin/settings/crm').expect(200);
    expect(page.text).to.contain('class="card audit-trail"');
    expect(page.text).to.match(/<th scope="row">customer_code_format<\/th>\s*<td class="audit-from">CU-\{seq:6\}<\/td>/);
  });

  it('refuses a form opened for another company than the current one', async () => {
    const { agent, companyId } = await manager();
    const form = formOf((await agent.get('/admin/settings/crm').expect(200)).text);
    expect(form._company).to.equal(String(companyId));
    const refused = await agent.post('/admin/settings/crm', { ...form, _company: String(companyId + 1000), customer_code_format: 'X{seq}' }).expect(302);
    expect(refused.headers.location).to.equal('/admin/settings/crm');
    expect((await agent.get('/admin/settings/crm')).text).to.contain('You switched company');
    expect(await stored(companyId)).to.equal(null);
  });

  it('answers 403 on every page and API route to a user without core.settings.manage', async () => {
    const companyId = await newCompany();
    const user = await t.createUser({ permissions: ['core.company.manage', 'core.user.manage', 'crm.customer.write'], companyIds: [companyId] });
    const agent = await t.login(user.email, user.password);
    await agent.get('/admin/settings').expect(403);
    await agent.get('/admin/settings/crm').expect(403);
    await agent.post('/admin/settings/crm', { customer_code_format: 'HACK{seq}' }).expect(403);
    const index = await agent.get('/admin').expect(200);
    expect(index.text).not.to.contain('href="/admin/settings"');

    const token = await t.token(user.email);
    const listed = await api().get('/api/v1/base/settings').set(bearer(token)).expect(403);
    expect(listed.body.error.code).to.equal('forbidden');
    await api().get('/api/v1/base/settings/crm').set(bearer(token)).expect(403);
    await api().put('/api/v1/base/settings/crm').set(bearer(token)).send({ customer_code_format: 'HACK{seq}' }).expect(403);
    expect(await stored(companyId)).to.equal(null);
  });

  it('round-trips the settings through the API: list, get, put, 422 naming the field, 404 for an unknown module', async () => {
    const { email, companyId } = await manager();
    const token = await t.token(email);
    const list = await api().get('/api/v1/base/settings').set(bearer(token)).expect(200);
    expect(list.body.next_cursor).to.equal(null);
    const crm = list.body.data.find((m: any) => m.module === 'crm');
    expect(crm).to.include({ module: 'crm', label: 'CRM' });
    expect(crm.schema.properties).to.have.keys('customer_code_format', 'phone_country', 'custom_fields');
    expect(list.body.data.map((m: any) => m.module)).not.to.include('base');

    const current = await api().get('/api/v1/base/settings/crm').set(bearer(token)).expect(200);
    const next = { ...current.body, customer_code_format: 'API{seq:3}', custom_fields: [{ key: 'vat', label: 'VAT number', type: 'text', options: [], required: false }] };
    const put = await api().put('/api/v1/base/settings/crm').set(bearer(token)).send(next).expect(200);
    expect(put.body).to.deep.equal(next);
    const again = await api().get('/api/v1/base/settings/crm').set(bearer(token)).expect(200);
    expect(again.body).to.deep.equal(next);
    expect((await stored(companyId))!.customer_code_format).to.equal('API{seq:3}');

    const invalid = await api()
      .put('/api/v1/base/settings/crm')
      .set(bearer(token))
      .send({ customer_code_format: 'none', custom_fields: [{ key: 'Upper', label: 'x' }] })
      .expect(422);
    expect(invalid.body.error.code).to.equal('validation_failed');
    expect(invalid.body.error.fields).to.have.keys('customer_code_format', 'custom_fields.0.key');
    expect((await stored(companyId))!.customer_code_format).to.equal('API{seq:3}');

    await api().put('/api/v1/base/settings/crm').set(bearer(token)).send([1, 2]).expect(422);
    await api().get('/api/v1/base/settings/nothing_here').set(bearer(token)).expect(404);
    await api().get('/api/v1/base/settings/NOT-A-NAME').set(bearer(token)).expect(422);
    await api().put('/api/v1/base/settings/base').set(bearer(token)).send({}).expect(404);

    const spec = await api().get('/api/v1/openapi.json').set(bearer(token)).expect(200);
    const path = spec.body.paths['/api/v1/base/settings/{module}'];
    expect(path.put.summary).to.contain('Replace');
    expect(path.put.tags).to.deep.equal(['Settings']);
  });
});

/** Numbers through the form, with the example integrator module's `panel_size` (integer, 1 to 50, default 5). */
describe('base: module settings form with a number setting (examples/modules/visit_notes)', () => {
  let t: TestApp;
  let agent: TestAgent;

  before(async () => {
    t = await startTestApp({ modulesPath: [path.join(ROOT_DIR, 'examples', 'modules')] });
    const user = await t.createUser({ permissions: ['core.settings.manage'] });
    agent = await t.login(user.email, user.password);
  });
  after(() => t?.close());

  const stored = async () => JSON.parse((await t.knex('core_settings').where({ company_id: t.companyId, module: 'visit_notes' }).first()).value);

  it('renders a number input and stores what is typed as an integer', async () => {
    const page = await agent.get('/admin/settings/visit_notes').expect(200);
    expect(page.text).to.contain('Notes on the customer page');
    expect(page.text).to.match(/<input type="number" id="field-panel_size" name="panel_size" value="5" min="1" max="50" step="1"/);
    await agent.post('/admin/settings/visit_notes', { panel_size: '12' }).expect(302);
    expect(await stored()).to.deep.equal({ panel_size: 12 });
    // Left empty, the schema's default applies.
    await agent.post('/admin/settings/visit_notes', { panel_size: '' }).expect(302);
    expect(await stored()).to.deep.equal({ panel_size: 5 });
  });

  it('shows a message beside a number that is not one, or out of range, and stores nothing', async () => {
    await agent.post('/admin/settings/visit_notes', { panel_size: '7' }).expect(302);
    const text = await agent.post('/admin/settings/visit_notes', { panel_size: 'lots' }).expect(422);
    expect(text.text).to.match(/id="field-panel_size-error">must be a number/);
    expect(text.text).to.contain('value="lots"');
    const range = await agent.post('/admin/settings/visit_notes', { panel_size: '99' }).expect(422);
    expect(range.text).to.match(/id="field-panel_size-error">must be &lt;&#x3D; 50/);
    expect(await stored()).to.deep.equal({ panel_size: 7 });
  });
});
