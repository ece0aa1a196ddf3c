import { expect } from 'chai';
import { crmWorld, uniq, type CrmWorld } from './crm-fixtures';

describe('crm CustomerService.exists and contact @integration', function () {
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
});
