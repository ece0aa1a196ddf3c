import { expect } from 'chai';
import { crmWorld, makeCustomer, uniq, userWith, ALL_CRM, type CrmWorld } from './crm-fixtures';
import type { TestAgent } from 'tessera/testing';
import { searchColumns } from '../customers/customer-normalize';

/** The customer list through the core's list controls: counts, bulk actions under their permissions, history. */
describe('crm customer list: counts, bulk actions, history @integration', function () {
  this.timeout(120_000);
  let w: CrmWorld;
  let admin: TestAgent;

  before(async () => {
    w = await crmWorld();
    admin = await w.t.login(w.admin.email, w.admin.password);
  });

  const agentWith = async (permissions: string[]) => {
    const { user } = await userWith(w, permissions);
    return w.t.login(user.email, user.password);
  };

  it('counts the matches exactly up to 10,000, then says "10,000+"', async () => {
    const last = uniq('Count');
    for (let i = 0; i < 3; i++) await makeCustomer(w, { last_name: last });
    const page = await admin.get(`/crm/customers?q=${last}`).expect(200);
    expect(page.text).to.contain('<strong>3 customers</strong>');

    const big = await crmWorld();
    const now = new Date();
    for (let from = 0; from < 10_050; from += 400) {
      const rows = [];
      for (let i = from; i < Math.min(from + 400, 10_050); i++) {
        const c = { code: `BIG-${String(i).padStart(6, '0')}`, first_name: 'Bulk', last_name: `Row${i}`, phone: null, email: null };
        rows.push({ company_id: big.companyId, shop_id: big.shops[i < 10 ? 1 : 0].id, ...c, birthdate: null, birth_month: null, ...searchColumns(c), owned_phone_norm: null, created_at: now, updated_at: now });
      }
      await big.t.knex('crm_customers').insert(rows);
    }
    const bigAdmin = await big.t.login(big.admin.email, big.admin.password);
    const all = await bigAdmin.get('/crm/customers').expect(200);
    expect(all.text).to.contain('<strong>10,000+ customers</strong>');
    const some = await bigAdmin.get(`/crm/customers?shop_id=${big.shops[1].id}`).expect(200);
    expect(some.text).to.contain('<strong>10 customers</strong>');
    const confirm = await bigAdmin.post('/crm/customers/bulk', { action: 'tag', scope: 'all', f: {} }).expect(200);
    expect(confirm.text).to.contain('Add the tag typed below to 10,000+ customers?');
  });

  it('tags ticked customers, then every match, after a confirmation; again adds nothing; history says so', async () => {
    const last = uniq('Tag');
    const [a, b, c] = [await makeCustomer(w, { last_name: last }), await makeCustomer(w, { last_name: last }), await makeCustomer(w, { last_name: last, tags: ['gold'] })];
    const confirm = await admin.post('/crm/customers/bulk', { action: 'tag', scope: 'ticked', ids: [String(a.id), String(b.id)] }).expect(200);
    expect(confirm.text).to.contain('Add the tag typed below to 2 customers?');
    expect(confirm.text).to.contain('name="ids" value="' + a.id + '"');
    const bad = await admin.post('/crm/customers/bulk/tag', { scope: 'ticked', ids: [String(a.id)], tag: 'no<way>' }).expect(422);
    expect(bad.text).to.contain('may hold only letters');
    const done = await admin.post('/crm/customers/bulk/tag', { scope: 'ticked', ids: [String(a.id), String(b.id)], tag: 'VIP', back: `/crm/customers?q=${last}` }).expect(302);
    expect(done.headers.location).to.equal(`/crm/customers?q=${last}`);
    expect((await w.customers.get(w.ctx, a.id)).tags).to.deep.equal(['vip']);
    expect((await w.customers.get(w.ctx, c.id)).tags).to.deep.equal(['gold']);

    await admin.post('/crm/customers/bulk/tag', { scope: 'all', f: { q: last }, tag: 'vip' }).expect(302);
    expect((await w.customers.get(w.ctx, c.id)).tags).to.deep.equal(['gold', 'vip']);
    const again = await admin.post('/crm/customers/bulk/tag', { scope: 'all', f: { q: last }, tag: 'vip' }).expect(302);
    expect((await admin.get(again.headers.location)).text).to.contain('Tag added to 0 customers.');
    const detail = await admin.get(`/crm/customers/${c.id}`).expect(200);
    expect(detail.text).to.match(/<th scope="row">Tags<\/th>\s*<td class="audit-from">gold<\/td>\s*<td class="audit-arrow"[^>]*>→<\/td>\s*<td class="audit-to">gold, vip<\/td>/);
  });

  it('adds every match to a group, and refuses a group of another kind', async () => {
    const last = uniq('Grp');
    const ids = [(await makeCustomer(w, { last_name: last })).id, (await makeCustomer(w, { last_name: last })).id];
    const group = await w.groups.create(w.ctx, { name: uniq('Bulk '), type: 'customer' });
    const byShop = await w.groups.create(w.ctx, { name: uniq('Shop '), type: 'shop', shop_ids: [w.shops[0].id] });
    const confirm = await admin.post('/crm/customers/bulk', { action: 'add_to_group', scope: 'all', f: { q: last } }).expect(200);
    expect(confirm.text).to.contain(`<option value="${group.id}">${group.name}</option>`);
    expect(confirm.text).not.to.contain(`<option value="${byShop.id}">`);
    await admin.post('/crm/customers/bulk/add_to_group', { scope: 'all', f: { q: last }, group_id: String(byShop.id) }).expect(422);
    await admin.post('/crm/customers/bulk/add_to_group', { scope: 'all', f: { q: last }, group_id: String(group.id) }).expect(302);
    for (const id of ids) expect(await w.groups.isMember(w.ctx, group.id, id)).to.equal(true);
  });

  it('offers and accepts each bulk action only under its permission', async () => {
    const c = await makeCustomer(w);
    const reader = await agentWith(['crm.customer.read']);
    const page = await reader.get('/crm/customers').expect(200);
    expect(page.text).not.to.contain('id="bulk-form"');
    await reader.post('/crm/customers/bulk', { action: 'tag', scope: 'ticked', ids: [String(c.id)] }).expect(403);
    await reader.post('/crm/customers/bulk/tag', { scope: 'ticked', ids: [String(c.id)], tag: 'x' }).expect(403);
    await reader.post('/crm/customers/bulk/delete', { scope: 'ticked', ids: [String(c.id)] }).expect(403);

    const writer = await agentWith(['crm.customer.read', 'crm.customer.write']);
    const offered = await writer.get('/crm/customers').expect(200);
    expect(offered.text).to.contain('<option value="tag">Tag</option>');
    expect(offered.text).not.to.contain('<option value="add_to_group">');
    expect(offered.text).not.to.contain('<option value="delete">');
    await writer.post('/crm/customers/bulk/add_to_group', { scope: 'ticked', ids: [String(c.id)], group_id: '1' }).expect(403);

    const confirm = await admin.post('/crm/customers/bulk', { action: 'delete', scope: 'ticked', ids: [String(c.id)] }).expect(200);
    expect(confirm.text).to.contain('Delete 1 customer? This cannot be undone.');
    await admin.post('/crm/customers/bulk/delete', { scope: 'ticked', ids: [String(c.id)] }).expect(302);
    expect(await w.customers.get(w.ctx, c.id).catch((e) => e.status)).to.equal(404);
  });

  it('exports the ticked customers in the import columns', async () => {
    const [a, b] = [await makeCustomer(w), await makeCustomer(w)];
    const csv = await admin.post('/crm/customers/bulk/export', { scope: 'ticked', ids: [String(a.id)] }).expect(200);
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    expect(csv.text).to.contain(a.code);
    expect(csv.text).not.to.contain(b.code);
  });

  it('keeps saved filters and columns per person on the customer list', async () => {
    const one = await agentWith(ALL_CRM);
    const two = await agentWith(ALL_CRM);
    await one.post('/crm/customers/list/filters', { name: 'VIP of shop A', query: `shop_id=${w.shops[0].id}&tag=vip` }).expect(302);
    await one.post('/crm/customers/list/prefs', { order: ['name', 'code', 'classification'], show: ['name', 'classification'], page_size: '20' }).expect(302);
    const mine = await one.get('/crm/customers').expect(200);
    expect(mine.text).to.contain('VIP of shop A');
    expect(mine.text).to.match(/<thead>[\s\S]*?>Name[\s\S]*?>Classification<\/th>\s*<\/tr>/);
    const theirs = await two.get('/crm/customers').expect(200);
    expect(theirs.text).not.to.contain('VIP of shop A');
    expect(theirs.text).to.match(/<thead>[\s\S]*?>Code</);
  });

  it('speaks the reader\'s language in a customer\'s history: labels, the shop by name', async () => {
    const c = await makeCustomer(w);
    await w.customers.update(w.ctx, c.id, { shop_id: w.shops[1].id, first_name: 'Moved' });
    const detail = await admin.get(`/crm/customers/${c.id}`).expect(200);
    expect(detail.text).to.match(new RegExp(`<th scope="row">Shop</th>\\s*<td class="audit-from">${w.shops[0].name}</td>\\s*<td class="audit-arrow"[^>]*>→</td>\\s*<td class="audit-to">${w.shops[1].name}</td>`));
    expect(detail.text).to.contain('<span class="badge badge-update">Changed</span>');
    expect(/audit-trail[\s\S]*<\/section>/.exec(detail.text)![0]).not.to.contain('shop_id');
  });

  it('names customers in the audit log by their name, linked while they exist, named still once deleted', async () => {
    const last = uniq('Log');
    const kept = await makeCustomer(w, { first_name: 'Kept', last_name: last });
    const gone = await makeCustomer(w, { first_name: 'Gone', last_name: last });
    await w.customers.remove(w.ctx, gone.id);
    const page = await admin.get('/admin/audit?type=crm.customer').expect(200);
    expect(page.text).to.contain(`<a href="/crm/customers/${kept.id}">Kept ${last}</a>`);
    expect(page.text).to.match(new RegExp(`</span> Gone ${last}</td>`));
    expect(page.text).not.to.contain('crm_customers #');
  });
});
