import path from 'node:path';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';
import { startTestApp, TestApp, TestUser } from '../../support/harness';
import { CRM, type CustomerService } from '../../../modules/crm/api';

/**
 * examples/modules/visit_notes is an integrator's module: outside modules/, found through the modules
 * path (TESSERA_MODULES_PATH in production), importing Tessera by name (tessera/core, crm's face as
 * tessera/modules/crm). It must get exactly what a
 * built-in module gets: installed with its migration, its permissions in the catalog, its page behind its
 * permission, and its panel rendered in the slot crm's customer page declares.
 */
describe('an integrator module from the modules path (examples/modules/visit_notes)', () => {
  let t: TestApp;
  let customerId: number;
  let reader: TestUser;
  let writer: TestUser;
  let crmOnly: TestUser;

  before(async () => {
    t = await startTestApp({ modulesPath: [path.join(ROOT_DIR, 'examples', 'modules')] });
    const customer = await t.knex('crm_customers').where({ company_id: t.companyId }).orderBy('id').first();
    customerId = Number(customer.id);
    reader = await t.createUser({ permissions: ['visit_notes.note.read', 'crm.customer.read'] });
    writer = await t.createUser({ permissions: ['visit_notes.note.write', 'crm.customer.read'] });
    crmOnly = await t.createUser({ permissions: ['crm.customer.read'] });
  });
  after(() => t?.close());

  it('is installed after the module it depends on, with its migration applied and journaled', async () => {
    const names = t.kernel.installed.map((s) => s.manifest.name);
    expect(names).to.include('visit_notes');
    expect(names.indexOf('visit_notes')).to.be.greaterThan(names.indexOf('crm'));
    expect(t.kernel.installed.find((s) => s.manifest.name === 'visit_notes')!.origin).to.equal('external');
    expect(await t.knex('core_modules').where({ name: 'visit_notes' }).first()).to.include({ version: '1.0.0', state: 'installed' });
    expect(await t.knex.schema.hasTable('visit_notes')).to.equal(true);
    expect(await t.knex('core_migrations').where({ module: 'visit_notes' }).pluck('name')).to.deep.equal(['001_create_visit_notes']);
    expect(await t.knex('core_module_ownership').where({ module: 'visit_notes' }).orderBy(['kind', 'name']).select('kind', 'name')).to.deep.equal([
      { kind: 'menu', name: 'visit_notes' },
      { kind: 'permission', name: 'visit_notes.note.read' },
      { kind: 'permission', name: 'visit_notes.note.write' },
      { kind: 'setting', name: 'visit_notes.panel_size' },
      { kind: 'table', name: 'visit_notes' },
    ]);
  });

  it('adds its permissions to the catalog, with write implying read', () => {
    expect(t.kernel.catalog.has('visit_notes.note.read')).to.equal(true);
    expect([...t.kernel.catalog.expand(['visit_notes.note.write'])].sort()).to.deep.equal(['visit_notes.note.read', 'visit_notes.note.write']);
  });

  it('serves its page to a user with visit_notes.note.read and answers 403 to one without', async () => {
    const allowed = await t.login(reader.email, reader.password);
    const page = await allowed.get('/visit-notes').expect(200);
    expect(page.text).to.contain('<h1>Visit notes</h1>');
    expect(page.text).to.match(/href="\/visit-notes"/, 'its menu entry shows to a user who may open it');

    const denied = await t.login(crmOnly.email, crmOnly.password);
    await denied.get('/visit-notes').expect(403);
    const home = await denied.get('/crm/customers').expect(200);
    expect(home.text).to.not.match(/href="\/visit-notes"/);
  });

  it("fills crm's customer page slot: a note written from the panel shows in it, to users who may read notes", async () => {
    const agent = await t.login(writer.email, writer.password);
    await agent.post('/visit-notes', { customer_id: customerId, visited_on: '2026-03-02', text: 'Asked for the spring catalogue' }).expect(302).expect('Location', `/crm/customers/${customerId}`);

    const customerPage = await agent.get(`/crm/customers/${customerId}`).expect(200);
    const panel = customerPage.text.match(/<section class="card visit-notes-panel"[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(panel).to.contain('Asked for the spring catalogue');
    expect(panel).to.contain('<form method="post" action="/visit-notes">');
    const slotStart = customerPage.text.indexOf('<div class="customer-panels">');
    expect(slotStart, 'crm renders its crm.customer.panels slot').to.be.greaterThan(-1);
    expect(customerPage.text.indexOf('visit-notes-panel'), 'the panel is rendered where the slot is').to.be.greaterThan(slotStart);

    const readerPage = await (await t.login(reader.email, reader.password)).get(`/crm/customers/${customerId}`).expect(200);
    expect(readerPage.text).to.contain('Asked for the spring catalogue');
    expect(readerPage.text).to.not.contain('<form method="post" action="/visit-notes">');

    const crmOnlyPage = await (await t.login(crmOnly.email, crmOnly.password)).get(`/crm/customers/${customerId}`).expect(200);
    expect(crmOnlyPage.text).to.not.contain('visit-notes-panel');
    expect(crmOnlyPage.text).to.not.contain('Asked for the spring catalogue');
  });

  it('refuses to write a note without visit_notes.note.write, or on a customer of a company the user cannot see', async () => {
    const readOnly = await t.login(reader.email, reader.password);
    await readOnly.post('/visit-notes', { customer_id: customerId, text: 'not allowed' }).expect(403);

    const outsider = await t.createUser({ permissions: ['visit_notes.note.write', 'crm.customer.read'], companyIds: [t.otherCompanyId] });
    const agent = await t.login(outsider.email, outsider.password);
    await agent.post('/visit-notes', { customer_id: customerId, text: 'across companies' }).expect(404);
    expect(await t.knex('visit_notes').whereIn('text', ['not allowed', 'across companies'])).to.deep.equal([]);
  });

  it("removes a customer's notes when crm deletes the customer (through crm's event, not its tables)", async () => {
    const admin = await t.knex('core_users').where({ email: t.admin.email }).first();
    const adminCtx = await t.contextFor(Number(admin.id), t.companyId);
    const shop = await t.knex('base_shops').where({ company_id: t.companyId }).first();
    const customers = t.container.get<CustomerService>(CRM.Customers);
    const customer = await customers.create(adminCtx, { first_name: 'Short', last_name: 'Lived', shop_id: Number(shop.id) });
    const agent = await t.login(writer.email, writer.password);
    await agent.post('/visit-notes', { customer_id: customer.id, text: 'Moved away' }).expect(302);
    expect(await t.knex('visit_notes').where({ customer_id: customer.id }).pluck('text')).to.deep.equal(['Moved away']);

    const [note] = await t.knex('visit_notes').where({ customer_id: customer.id }).pluck('id');

    await customers.remove(adminCtx, customer.id);

    expect(await t.knex('visit_notes').where({ customer_id: customer.id })).to.deep.equal([]);
    const trail = await t.knex('core_audit_log').where({ record_table: 'visit_notes', record_id: note, action: 'delete' }).select('company_id', 'actor_id', 'changes');
    expect(trail, 'the removal is audited in the customer\'s company, as done by who deleted the customer').to.have.length(1);
    expect({ company_id: Number(trail[0].company_id), actor_id: Number(trail[0].actor_id) }).to.deep.equal({ company_id: t.companyId, actor_id: Number(admin.id) });
    expect(JSON.parse(trail[0].changes)).to.deep.include({ customer_id: customer.id, text: 'Moved away' });
  });
});
