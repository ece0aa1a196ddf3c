import { expect } from 'chai';
import { crmWorld, makeCustomer, uniq, userWith, type CrmWorld } from './crm-fixtures';

/** The home page's `home.widgets` slot and the header's `shell.search`, as crm fills them. */
describe('crm on the home page @integration', function () {
  this.timeout(60_000);
  let w: CrmWorld;

  before(async () => {
    w = await crmWorld();
  });

  const statOf = (html: string, name: string) => Number(new RegExp(`data-stat="${name}">(\\d+)<`).exec(html)?.[1]);

  it('shows the admin the customer search, counts with a chart, birthdays and imports, and the jobs', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const born = `1990-${today.slice(5)}`;
    const c = await makeCustomer(w, { last_name: uniq('Birthday'), birthdate: born });
    const admin = await w.t.login(w.admin.email, w.admin.password);
    const home = await admin.get('/').expect(200);
    expect(home.text).to.contain('id="home-search-q"');
    expect(home.text).to.contain('id="header-search-q"');
    expect(statOf(home.text, 'customers')).to.be.greaterThan(0);
    expect(statOf(home.text, 'new-this-week')).to.be.greaterThan(0);
    expect(home.text).to.match(/data-widget="crm.customers"[\s\S]*data-chart="/);
    expect(home.text).to.contain(`href="/crm/customers/${c.id}"`);
    expect(home.text).to.contain('data-widget="crm.imports"');
    expect(home.text).to.contain('data-widget="base.jobs"');
  });

  it('shows an agent who may only read customers their own useful widgets, and nothing that leads to 403', async () => {
    const { user } = await userWith(w, ['crm.customer.read']);
    const agent = await w.t.login(user.email, user.password);
    const home = await agent.get('/').expect(200);
    for (const widget of ['crm.customers', 'crm.birthdays', 'base.account']) expect(home.text).to.contain(`data-widget="${widget}"`);
    for (const widget of ['crm.imports', 'base.jobs', 'base.shops']) expect(home.text).not.to.contain(`data-widget="${widget}"`);
    expect(home.text).to.contain('id="home-search-q"');
    for (const href of new Set([...home.text.matchAll(/href="(\/[^"#]*)/g)].map((m) => m[1].replace(/&amp;/g, '&')).filter((h) => !h.startsWith('/static/')))) {
      await agent.get(href).expect((res) => expect(res.status, href).to.be.oneOf([200, 302]));
    }
  });

  it('offers no customer search to a user who may not read customers', async () => {
    const { user } = await userWith(w, []);
    const home = await (await w.t.login(user.email, user.password)).get('/').expect(200);
    expect(home.text).not.to.contain('header-search-q');
    expect(home.text).to.contain('data-widget="base.account"');
  });

  it('serves chart.js itself, for a CSP of self only', async () => {
    const res = await w.t.request().get('/static/vendor/chart.umd.js').expect(200);
    expect(res.headers['content-type']).to.match(/javascript/);
    expect(res.text.length).to.be.greaterThan(100_000);
  });
});
