import { expect } from 'chai';
import { crmWorld, makeCustomer, uniq, uniqDigits, type CrmWorld } from './crm-fixtures';
import type { TestAgent } from 'tessera/testing';

describe('crm pages @integration', function () {
  this.timeout(60_000);
  let w: CrmWorld;
  let admin: TestAgent;

  before(async () => {
    w = await crmWorld();
    admin = await w.t.login(w.admin.email, w.admin.password);
  });

  it('finds a customer on the list page by a prefix of the phone', async () => {
    const phone = '06' + uniqDigits(8);
    const c = await makeCustomer(w, { phone, last_name: uniq('Phone') });
    const page = await admin.get(`/crm/customers?q=${phone.slice(0, 6)}`).expect(200);
    expect(page.text).to.contain(`/crm/customers/${c.id}`);
    const none = await admin.get('/crm/customers?q=0000000000000').expect(200);
    expect(none.text).to.contain('No customer matches these criteria.');
  });

  it('shows bad filters as errors instead of failing', async () => {
    const page = await admin.get('/crm/customers?birth_month=13').expect(200);
    expect(page.text).to.contain('birth_month: must be a month number 1 to 12');
  });

  it('creates a customer through the form, showing errors beside the fields and keeping the values', async () => {
    const bad = await admin.post('/crm/customers', { first_name: 'Form', last_name: '', email: 'not-an-email', shop_id: String(w.shops[0].id), tags: 'vip' }).expect(422);
    expect(bad.text).to.match(/id="field-last_name-error"[^>]*>is required</);
    expect(bad.text).to.match(/id="field-email-error"[^>]*>is not a valid e-mail address</);
    expect(bad.text).to.contain('value="Form"');
    expect(bad.text).to.contain('value="not-an-email"');

    const last = uniq('Form');
    const ok = await admin.post('/crm/customers', { first_name: 'Form', last_name: last, email: 'form@example.com', shop_id: String(w.shops[0].id), tags: 'vip, new', birthdate: '1990-05-06' }).expect(302);
    const detail = await admin.get(ok.headers.location).expect(200);
    expect(detail.text).to.contain(last);
    expect(detail.text).to.contain('Customer CU-');
    expect(detail.text).to.contain('<span class="badge">vip</span>');
  });

  it('edits a customer, and names a main customer by code', async () => {
    const main = await makeCustomer(w);
    const c = await makeCustomer(w);
    const form = await admin.get(`/crm/customers/${c.id}/edit`).expect(200);
    expect(form.text).to.contain(`value="${c.last_name}"`);
    await admin.post(`/crm/customers/${c.id}`, { first_name: 'Edited', last_name: c.last_name, shop_id: String(c.shop_id), parent_code: main.code, code: c.code }).expect(302);
    const after = await w.customers.get(w.ctx, c.id);
    expect(after.first_name).to.equal('Edited');
    expect(after.parent_id).to.equal(main.id);
    const detail = await admin.get(`/crm/customers/${main.id}`).expect(200);
    expect(detail.text).to.contain(`/crm/customers/${c.id}`);
    const bad = await admin.post(`/crm/customers/${c.id}`, { last_name: c.last_name, shop_id: String(c.shop_id), parent_code: 'NOPE-NOPE' }).expect(422);
    expect(bad.text).to.contain('no customer has the code');
  });

  it('declares the customer panels slot, which other modules fill, and shows the audit trail', async () => {
    const registry = w.t.kernel.views as any;
    if (!(w.t as any).__crmPanel) {
      (w.t as any).__crmPanel = true;
      registry.addSlot('test_plans', {
        slot: 'crm.customer.panels',
        template: 'shell/empty-state',
        data: async (_ctx: unknown, page: any) => ({ message: `Saving plans of ${page.customer.code}`, actionPath: '', actionLabel: '' }),
      });
    }
    const c = await makeCustomer(w);
    await w.customers.update(w.ctx, c.id, { first_name: 'Renamed' });
    const detail = await admin.get(`/crm/customers/${c.id}`).expect(200);
    expect(detail.text).to.contain(`Saving plans of ${c.code}`);
    expect(detail.text).to.contain('audit-trail');
    expect(detail.text).to.match(/First name<\/th>\s*<td class="audit-from">Ann<\/td>/);
  });

  it('honours permissions: a reader sees no edit, delete, import or export, and cannot post them', async () => {
    const reader = await w.t.createUser({ permissions: ['crm.customer.read'], companyIds: [w.companyId] });
    const agent = await w.t.login(reader.email, reader.password);
    const c = await makeCustomer(w);
    const list = await agent.get('/crm/customers').expect(200);
    expect(list.text).to.contain('href="/crm/customers"');
    expect(list.text).to.not.contain('/crm/customers/new');
    expect(list.text).to.not.contain('Import customers');
    expect(list.text).to.not.contain('export.csv');
    const detail = await agent.get(`/crm/customers/${c.id}`).expect(200);
    expect(detail.text).to.not.contain(`/crm/customers/${c.id}/edit`);
    expect(detail.text).to.not.contain(`/crm/customers/${c.id}/delete`);
    await agent.post(`/crm/customers/${c.id}/delete`).expect(403);
    await agent.get('/crm/customers/new').expect(403);
    await agent.get('/crm/customers/import').expect(403);
    await agent.get('/crm/groups').expect(403);
    expect((await w.customers.get(w.ctx, c.id)).id).to.equal(c.id);
  });

  it('deletes from the detail page, or says why it cannot', async () => {
    const main = await makeCustomer(w);
    await makeCustomer(w, { parent_id: main.id });
    const refused = await admin.post(`/crm/customers/${main.id}/delete`).expect(302);
    expect(refused.headers.location).to.equal(`/crm/customers/${main.id}`);
    const page = await admin.get(refused.headers.location).expect(200);
    expect(page.text).to.contain('main customer of 1 family member');
    const lone = await makeCustomer(w);
    await admin.post(`/crm/customers/${lone.id}/delete`).expect(302);
    expect(await w.customers.get(w.ctx, lone.id).catch((e) => e.status)).to.equal(404);
  });

  it('exports the current list with its filters', async () => {
    const tag = uniq('pg');
    const c = await makeCustomer(w, { tags: [tag] });
    const list = await admin.get(`/crm/customers?tag=${tag}`).expect(200);
    const href = list.text.match(/href="(\/crm\/customers\/export\.csv[^"]*)"/)![1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const csv = await admin.get(href).expect(200);
    expect(csv.headers['content-disposition']).to.match(/attachment; filename="customers-/);
    const lines = csv.text.trim().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[1]).to.contain(c.code);
  });

  it('builds groups on their pages: by shop with a member count, by customer from the list', async () => {
    const last = uniq('Grp');
    const c = await makeCustomer(w, { shop_id: w.shops[1].id, last_name: last });
    const created = await admin.post('/crm/groups', { name: uniq('North '), type: 'shop', shop_ids: [String(w.shops[1].id)], description: '' }).expect(302);
    const detail = await admin.get(created.headers.location).expect(200);
    expect(detail.text).to.contain(`/crm/customers/${c.id}`);
    expect(detail.text).to.match(/data-member-count>\d+</);

    const noShop = await admin.post('/crm/groups', { name: uniq('Empty '), type: 'shop', description: '' }).expect(422);
    expect(noShop.text).to.contain('choose at least one shop');

    const pick = await admin.post('/crm/groups', { name: uniq('Picked '), type: 'customer', description: '' }).expect(302);
    const groupId = Number(pick.headers.location.split('/').pop());
    const list = await admin.get(`/crm/customers?q=${last}`).expect(200);
    expect(list.text).to.contain('<option value="add_to_group">Add to group</option>');
    expect(list.text).to.contain('every match (1)');
    await admin.post('/crm/groups/add-members', { group_id: String(groupId), mode: 'search', search: { q: last } }).expect(302);
    expect(await w.groups.isMember(w.ctx, groupId, c.id)).to.equal(true);
    await admin.post(`/crm/groups/${groupId}/members/remove`, { customer_ids: [String(c.id)] }).expect(302);
    expect(await w.groups.isMember(w.ctx, groupId, c.id)).to.equal(false);
    await admin.post('/crm/groups/add-members', { group_id: String(groupId), mode: 'selected', customer_ids: [String(c.id)] }).expect(302);
    expect(await w.groups.isMember(w.ctx, groupId, c.id)).to.equal(true);
  });

  it('imports a pasted file: preview with line numbers, then import, with progress while the jobs run', async () => {
    const p = uniq('PG');
    const csv = ['code,last_name,shop', `${p}-1,Good,${w.shops[0].code}`, `${p}-2,,${w.shops[0].code}`].join('\n');
    const upload = await admin.post('/crm/customers/import', { csv, match_by: 'auto' }).expect(302);
    const url = upload.headers.location;
    expect(url).to.match(/^\/crm\/imports\/\d+$/);
    const progress = await admin.get(`${url}/progress`).expect(200);
    expect(progress.body).to.have.property('status');
    await w.t.drainJobs(30_000);
    const preview = await admin.get(url).expect(200);
    expect(preview.text).to.match(/<td class="num">3<\/td><td class="mono">last_name<\/td><td class="error-text">is required<\/td>/);
    expect(preview.text).to.contain('Import 1 row');
    expect(await w.customers.findByCode(w.ctx, `${p}-1`)).to.equal(undefined);
    await admin.post(`${url}/run`).expect(302);
    await w.t.drainJobs(30_000);
    const done = await admin.get(url).expect(200);
    expect(done.text).to.contain('Import finished.');
    expect(await w.customers.findByCode(w.ctx, `${p}-1`)).to.not.equal(undefined);
    const template = await admin.get('/crm/customers/import/template.csv').expect(200);
    expect(template.text).to.match(/^code,first_name,last_name/);
  });
});
