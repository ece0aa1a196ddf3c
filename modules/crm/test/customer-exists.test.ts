import { statementsDuring } from 'tessera/testing';
import { expect } from 'chai';
import { crmWorld, uniq, type CrmWorld } from './crm-fixtures';

describe('crm CustomerService.exists, contact and contacts @integration', function () {
  this.timeout(120_000);
  let w: CrmWorld;
  before(async () => {
    w = await crmWorld();
  });

  it('answers true for a customer of the caller\'s company, false for an unknown id or another company\'s customer', async () => {
    const mine = await w.customers.create(w.ctx, { first_name: 'Eve', last_name: uniq('X'), shop_id: w.shops[0].id });
    expect(await w.customers.exists(w.ctx, mine.id)).to.equal(true);
    expect(await w.customers.exists(w.ctx, mine.id + 1_000_000)).to.equal(false);
    expect(await w.customers.exists(w.ctx, -1)).to.equal(false);
    const other = await crmWorld();
    const theirs = await other.customers.create(other.ctx, { first_name: 'Bob', last_name: uniq('Y'), shop_id: other.shops[0].id });
    expect(await w.customers.exists(w.ctx, theirs.id)).to.equal(false);
    expect(await other.customers.exists(other.ctx, theirs.id)).to.equal(true);
  });

  it('gives how to reach a customer of the caller\'s company (names, code, phone, e-mail, shop) and nothing of another company\'s', async () => {
    const last = uniq('Contact');
    const mine = await w.customers.create(w.ctx, { first_name: 'Ada', last_name: last, email: 'ada@example.com', shop_id: w.shops[0].id, tags: ['vip'] });
    const contact = await w.customers.contact(w.ctx, mine.id);
    expect(contact).to.deep.equal({ id: mine.id, company_id: mine.company_id, code: mine.code, first_name: 'Ada', last_name: last, phone: mine.phone, email: 'ada@example.com', shop_id: w.shops[0].id });
    expect(await w.customers.contact(w.ctx, 0)).to.equal(undefined);
    const other = await crmWorld();
    const theirs = await other.customers.create(other.ctx, { first_name: 'Bob', last_name: uniq('Y'), shop_id: other.shops[0].id });
    expect(await w.customers.contact(w.ctx, theirs.id)).to.equal(undefined);
  });

  it('gives the contacts of several customers in one read, as contact gives each, leaving out what the caller cannot see', async () => {
    const a = await w.customers.create(w.ctx, { first_name: 'Ann', last_name: uniq('Many'), email: 'ann@example.com', shop_id: w.shops[0].id });
    const b = await w.customers.create(w.ctx, { first_name: 'Ben', last_name: uniq('Many'), shop_id: w.shops[0].id });
    const other = await crmWorld();
    const theirs = await other.customers.create(other.ctx, { first_name: 'Bob', last_name: uniq('Y'), shop_id: other.shops[0].id });
    const { result: found, statements } = await statementsDuring(w.t.knex, () => w.customers.contacts(w.ctx, [b.id, a.id, a.id, theirs.id, 0, -1, a.id + 1_000_000]));
    expect(statements.filter((q) => /crm_customers/.test(q.sql))).to.have.length(1);
    expect([...found.keys()].sort((x, y) => x - y)).to.deep.equal([a.id, b.id]);
    expect(found.get(a.id)).to.deep.equal(await w.customers.contact(w.ctx, a.id));
    expect(found.get(b.id)).to.deep.equal(await w.customers.contact(w.ctx, b.id));
    expect((await other.customers.contacts(other.ctx, [theirs.id, a.id])).size).to.equal(1);
    expect((await w.customers.contacts(w.ctx, [])).size).to.equal(0);
  });
});
