import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { companyWorld } from './company-fixtures';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';


/**
 *   card  template  status   visits  spend  last visit   birthday
 *   p     stamp     active   12      30000  2026-11-20   March
 *   q     stamp     blocked   3       5000  2026-06-01   July
 *   r     pass      active    7      12000  2026-10-05   March
 */
describe('loyalty cards: holder filters @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let reader: string;
  const tpl: Record<string, number> = {};
  const card: Record<string, number> = {};
  const api = () => supertest(t.app);

  before(async () => {
    const w = await companyWorld({ name: 'Filters', timezone: 'Europe/Paris', shopName: 'Counter' });
    t = w.t;
    const companyId = w.companyId;
    const admin = w.admin;
    const ctx = w.ctx;
    const token = await t.token(admin.email);
    const shop = { id: w.shopId };
    tpl.stamp = (await api().post('/api/v1/loyalty/card-templates').set(bearer(token)).send({ name: uniq('stamp '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 5, reward: 'Coffee' }], life: { kind: 'unlimited' } } })).body.id;
    tpl.pass = (await api().post('/api/v1/loyalty/card-templates').set(bearer(token)).send({ name: uniq('pass '), type: 'multipass', rules: { uses: 10 } })).body.id;
    const rows = [
      ['p', 'stamp', 'active', 12, 30000, '2026-11-20', '1990-03-14'],
      ['q', 'stamp', 'blocked', 3, 5000, '2026-06-01', '1985-07-02'],
      ['r', 'pass', 'active', 7, 12000, '2026-10-05', '2001-03-30'],
    ] as const;
    for (const [who, template, status, visits, spend, last, birthdate] of rows) {
      const customer = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: who, last_name: uniq('Flt'), shop_id: shop.id, birthdate });
      const issued = await api().post('/api/v1/loyalty/cards').set(bearer(token)).send({ template_id: tpl[template], customer_id: customer.id });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      card[who] = issued.body.id;
      // The state a history of scans would have left.
      await t.knex('loyalty_cards').where({ id: card[who] }).update({ status, visits, spend_total: spend, last_visit_day: last });
    }
    reader = await t.token((await t.createUser({ permissions: ['loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
  });

  const holders = async (query: string) => {
    const res = await api().get(`/api/v1/loyalty/card-holders?${query}`).set(bearer(reader));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.data.map((h: { card_id: number }) => h.card_id);
  };

  it('filters by template, status, last visit, visits, spend and birthday month', async () => {
    expect(await holders('')).to.deep.equal([card.p, card.q, card.r]);
    expect(await holders(`template_id=${tpl.stamp}`)).to.deep.equal([card.p, card.q]);
    expect(await holders('status=active')).to.deep.equal([card.p, card.r]);
    expect(await holders('last_visit_from=2026-10-05&last_visit_to=2026-11-19')).to.deep.equal([card.r]);
    expect(await holders('visits_min=7')).to.deep.equal([card.p, card.r]);
    expect(await holders('spend_min=5000&spend_max=12000')).to.deep.equal([card.q, card.r]);
    expect(await holders('birth_month=3')).to.deep.equal([card.p, card.r]);
    expect(await holders('birth_month=3&visits_max=10')).to.deep.equal([card.r]);
    expect(await holders('birth_month=12')).to.deep.equal([]);
  });

  it('refuses bad bounds naming the field', async () => {
    const bad = await api().get('/api/v1/loyalty/card-holders?visits_min=5&visits_max=2').set(bearer(reader));
    expect(bad.status).to.equal(422);
    expect(bad.body.error.fields).to.have.property('visits_max');
    const month = await api().get('/api/v1/loyalty/card-holders?birth_month=13').set(bearer(reader));
    expect(month.status).to.equal(422);
  });

  it('offers visits and spend as range filters of the cards list', async () => {
    const res = await api().get('/api/v1/loyalty/cards?visits_from=4&visits_to=20&spend_total_from=10000').set(bearer(reader));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.data.map((c: { id: number }) => c.id).sort((a: number, b: number) => a - b)).to.deep.equal([card.p, card.r]);
  });
});
