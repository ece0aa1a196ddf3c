import { expect } from 'chai';
import { crmWorld, makeCustomer, uniq, userWith, type CrmWorld } from './crm-fixtures';

/** Links and buttons appear only where the user may follow them: the `link` and `mayOpen` helpers read the routes' permissions. */
describe('crm pages show only links the user may follow @integration', function () {
  this.timeout(60_000);
  let w: CrmWorld;

  before(async () => {
    w = await crmWorld();
  });

  it('a reader of customers sees the groups of a customer as names, not as links to pages that answer 403', async () => {
    const main = await makeCustomer(w, { last_name: uniq('Main') });
    const kid = await makeCustomer(w, { last_name: uniq('Kid'), parent_id: main.id });
    const group = await w.groups.create(w.ctx, { name: uniq('Readers group '), type: 'customer', customer_ids: [kid.id] });
    const { user } = await userWith(w, ['crm.customer.read']);
    const reader = await w.t.login(user.email, user.password);
    const page = await reader.get(`/crm/customers/${kid.id}`).expect(200);
    expect(page.text).to.contain(group.name);
    expect(page.text).not.to.contain(`href="/crm/groups/${group.id}"`);
    expect(page.text).not.to.contain(`/crm/customers/${kid.id}/edit`);
    expect(page.text).to.contain(`href="/crm/customers/${main.id}"`);
    for (const href of [...page.text.matchAll(/href="(\/[^"#?]*)/g)].map((m) => m[1]).filter((h) => !h.startsWith('/static/'))) {
      await reader.get(href).expect((res) => expect(res.status, href).not.to.equal(403));
    }

    const { user: groupReader } = await userWith(w, ['crm.group.read']);
    const withGroups = await (await w.t.login(groupReader.email, groupReader.password)).get(`/crm/customers/${kid.id}`).expect(200);
    expect(withGroups.text).to.contain(`href="/crm/groups/${group.id}"`);
  });

  it("does not tell a new customer's form to keep a current password", async () => {
    const admin = await w.t.login(w.admin.email, w.admin.password);
    const page = await admin.get('/crm/customers/new').expect(200);
    expect(page.text).not.to.contain('keep the current one');
    expect(page.text).to.contain('leave empty for no password');
  });
});
