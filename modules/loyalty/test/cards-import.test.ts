import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { companyWorld } from './company-fixtures';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';


describe('loyalty cards: CSV export and import round trip @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let token: string;
  let agent: Awaited<ReturnType<TestApp['login']>>;
  const cards: Array<{ id: number; number: string }> = [];
  const api = () => supertest(t.app);

  const exportCsv = async () => {
    const res = await agent.get('/loyalty/cards/export.csv?sort=number');
    expect(res.status).to.equal(200);
    return res.text;
  };
  const importCsv = async (csv: string) => {
    const res = await api().post('/api/v1/loyalty/cards/import').set(bearer(token)).set('Content-Type', 'text/csv').send(csv);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const snapshot = async () => t.knex('loyalty_cards').whereIn('id', cards.map((c) => c.id)).orderBy('id').select('id', 'number', 'status', 'valid_until', 'membership_ends', 'shop_id', 'stamps', 'uses_left', 'balance', 'updated_at');

  before(async () => {
    const w = await companyWorld({ name: 'Import', timezone: 'Europe/Paris', shopName: 'Counter' });
    t = w.t;
    const companyId = w.companyId;
    const admin = w.admin;
    const ctx = w.ctx;
    const adminToken = await t.token(admin.email);
    const shop = { id: w.shopId };
    const customer = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Ida', last_name: uniq('Imp'), shop_id: shop.id });
    const pass = (await api().post('/api/v1/loyalty/card-templates').set(bearer(adminToken)).send({ name: uniq('pass '), type: 'multipass', rules: { uses: 10 }, validity_kind: 'days', validity_days: 30 })).body.id;
    const gift = (await api().post('/api/v1/loyalty/card-templates').set(bearer(adminToken)).send({ name: uniq('gift '), type: 'certificate', rules: { amount: 2550 } })).body.id;
    for (const template of [pass, gift, pass]) {
      const card = await api().post('/api/v1/loyalty/cards').set(bearer(adminToken)).send({ template_id: template, customer_id: customer.id });
      expect(card.status, JSON.stringify(card.body)).to.equal(201);
      cards.push({ id: card.body.id, number: card.body.number });
    }
    const user = await t.createUser({ permissions: ['loyalty.card.issue', 'loyalty.card.all_shops'], companyIds: [companyId] });
    token = await t.token(user.email);
    agent = await t.login(user.email, user.password);
  });

  it('imports the exported file back without changing anything', async () => {
    const before = await snapshot();
    const csv = await exportCsv();
    for (const c of cards) expect(csv).to.contain(c.number);
    const report = await importCsv(csv);
    expect(report).to.include({ rows_total: 3, created: 0, updated: 0, unchanged: 3, error_count: 0 });
    expect(await snapshot()).to.deep.equal(before);
    expect(await exportCsv()).to.equal(csv);
  });

  it('changes the editable columns of an edited file and refuses unknown numbers and bad cells', async () => {
    const csv = await exportCsv();
    const lines = csv.trim().split(/\r?\n/);
    const header = lines[0].split(',');
    const statusAt = header.indexOf('status');
    const numberAt = header.indexOf('number');
    expect(statusAt).to.be.greaterThan(-1);
    const edited = lines.map((line, i) => {
      if (i === 0) return line;
      const cells = line.split(',');
      if (cells[numberAt] === cards[0].number) cells[statusAt] = 'blocked';
      if (cells[numberAt] === cards[1].number) cells[statusAt] = 'frozen';
      return cells.join(',');
    });
    const unknown = lines[1].split(',');
    unknown[numberAt] = '999999999';
    edited.push(unknown.join(','));
    const report = await importCsv(edited.join('\n') + '\n');
    expect(report).to.include({ updated: 1, unchanged: 1, error_count: 2 });
    const fields = report.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).to.deep.equal(['number', 'status']);
    const blocked = await t.knex('loyalty_cards').where({ id: cards[0].id }).first('status');
    expect(blocked.status).to.equal('blocked');
  });
});
