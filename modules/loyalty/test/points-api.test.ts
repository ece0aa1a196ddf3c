import { expect } from 'chai';
import supertest from 'supertest';
import { draft, enable, grant, makeCustomer, pointsWorld, sell, type PointsWorld } from './points-fixtures';

function bearer(token: string) {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

describe('loyalty points JSON API @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: PointsWorld;
  let admin: string;
  let reader: string;
  before(async () => {
    w = await pointsWorld();
    admin = await w.t.token(w.admin.email);
    reader = await w.t.token((await w.t.createUser({ permissions: ['loyalty.points.read'], companyIds: [w.companyId] })).email);
  });

  it('GET/PUT /settings: a manager saves, a reader reads but is refused a change, a missing product is named', async () => {
    const put = await supertest(w.t.app).put('/api/v1/loyalty/settings').set(bearer(admin)).send({ points: { active: true, ratio_bp: 20000, mode: 'tranche', tranche_points: 200, tranche_value: 1000, product_code: 'pts' } });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body.points).to.include({ active: true, ratio_bp: 20000, tranche_points: 200, tranche_value: 1000, product_code: 'PTS' });
    const got = await supertest(w.t.app).get('/api/v1/loyalty/settings').set(bearer(reader));
    expect(got.body.points).to.deep.equal(put.body.points);
    expect((await supertest(w.t.app).put('/api/v1/loyalty/settings').set(bearer(reader)).send({ points: { active: false } })).status).to.equal(403);
    const missing = await supertest(w.t.app).put('/api/v1/loyalty/settings').set(bearer(admin)).send({ points: { product_code: 'GHOST' } });
    expect(missing.status).to.equal(422);
    expect(JSON.stringify(missing.body)).to.contain('GHOST').and.contain('product_code');
    const bad = await supertest(w.t.app).put('/api/v1/loyalty/settings').set(bearer(admin)).send({ points: { tranche_points: 0 } });
    expect(bad.status).to.be.within(400, 422);
    expect(JSON.stringify(bad.body)).to.contain('tranche_points');
  });

  it('GET /customers/{id}/points gives balance, value and the ledger with running balance; another company sees 404', async () => {
    await enable(w, { tranche_points: 100, tranche_value: 500 });
    const c = await makeCustomer(w);
    await sell(w, c, 12345);
    const res = await supertest(w.t.app).get(`/api/v1/loyalty/customers/${c}/points`).set(bearer(reader));
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ customer_id: c, balance: 123, value: 615 }); // 123 × 500 / 100 = 615
    expect(res.body.ledger).to.have.length(1);
    expect(res.body.ledger[0]).to.include({ kind: 'earned', points: 123, amount: 12345, balance: 123, document_kind: 'invoice' });
    const other = await w.t.token(w.t.otherAdmin.email);
    expect((await supertest(w.t.app).get(`/api/v1/loyalty/customers/${c}/points`).set(bearer(other))).status).to.equal(404);
  });

  it('POST /redemptions spends on a draft (201, then 200 for the same draft); bad input names the field', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 250);
    const d = await draft(w, c, 4000);
    const first = await supertest(w.t.app).post('/api/v1/loyalty/redemptions').set(bearer(admin)).send({ invoice_id: d.id });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body).to.include({ points: 200, value: 1000, tranches: 2 });
    expect(first.body.document.total).to.equal(3000);
    const again = await supertest(w.t.app).post('/api/v1/loyalty/redemptions').set(bearer(admin)).send({ invoice_id: d.id });
    expect(again.status).to.equal(200);
    const none = await supertest(w.t.app).post('/api/v1/loyalty/redemptions').set(bearer(admin)).send({});
    expect(none.status).to.equal(422);
    expect(JSON.stringify(none.body)).to.contain('invoice_id');
    const bad = await supertest(w.t.app).post('/api/v1/loyalty/redemptions').set(bearer(admin)).send({ invoice_id: 'x' });
    expect(bad.status).to.be.within(400, 422);
    expect((await supertest(w.t.app).post('/api/v1/loyalty/redemptions').set(bearer(reader)).send({ invoice_id: d.id })).status).to.equal(403);
  });

  it('adjustments need loyalty.points.adjust and a reason; a removal cannot go below zero', async () => {
    const c = await makeCustomer(w);
    const url = `/api/v1/loyalty/customers/${c}/points/adjustments`;
    expect((await supertest(w.t.app).post(url).set(bearer(reader)).send({ points: 10, reason: 'gift' })).status).to.equal(403);
    const noReason = await supertest(w.t.app).post(url).set(bearer(admin)).send({ points: 10 });
    expect(noReason.status).to.be.within(400, 422);
    expect(JSON.stringify(noReason.body)).to.contain('reason');
    const ok = await supertest(w.t.app).post(url).set(bearer(admin)).send({ points: 10, reason: 'gift' });
    expect(ok.status).to.equal(201);
    expect(ok.body.ledger.at(-1)).to.include({ kind: 'adjusted', points: 10, reason: 'gift' });
    expect((await supertest(w.t.app).post(url).set(bearer(admin)).send({ points: -11, reason: 'too many' })).status).to.equal(409);
    expect((await supertest(w.t.app).post(url).set(bearer(admin)).send({ points: -10, reason: 'taken back' })).body.balance).to.equal(0);
  });

  it('the liability report values the points outstanding and lists the months', async () => {
    await enable(w, { mode: 'direct', point_value: 3 });
    const res = await supertest(w.t.app).get('/api/v1/loyalty/reports/points-liability').set(bearer(reader));
    expect(res.status).to.equal(200);
    const outstanding = await w.t.knex('loyalty_points_accounts').where({ company_id: w.companyId }).where('balance', '>', 0).sum({ s: 'balance' }).first();
    expect(res.body.points).to.equal(Number(outstanding!.s));
    expect(res.body.value).to.equal(res.body.points * 3);
    expect(res.body.months).to.have.length(12);
    expect(res.body.months.at(-1).earned).to.be.greaterThan(0);
  });
});
