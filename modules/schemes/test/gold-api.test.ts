import { expect } from 'chai';
import supertest from 'supertest';
import { goldCustomer, goldWorld, lastCode, makeScheme, type GoldWorld } from './gold-fixtures';

function bearer(token: string) {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

describe('gold schemes JSON API @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: GoldWorld;
  let admin: string;
  let clerk: string;
  let reader: string;

  before(async () => {
    w = await goldWorld();
    const make = async (permissions: string[]) => w.t.token((await w.t.createUser({ permissions, companyIds: [w.companyId] })).email);
    admin = await w.t.token(w.admin.email);
    clerk = await make(['schemes.plan.enrol', 'schemes.plan.pay']);
    reader = await make(['schemes.plan.read']);
  });

  const api = () => supertest(w.t.app);

  it('schemes and rates: a manager creates them, a reader lists them and gets 403 creating; bad input names the field', async () => {
    const body = { name: 'Swarna 11+1', kind: 'fixed', duration_months: 11, window_start_day: 1, window_end_day: 10, min_instalment: 1000, tiers: [{ code: 'T1', name: '1,000', instalment: 1000 }], reward_kind: 'fixed', reward_instalments: 1 };
    expect((await api().post('/api/v1/schemes/gold-schemes').set(bearer(reader)).send(body)).status).to.equal(403);
    const made = await api().post('/api/v1/schemes/gold-schemes').set(bearer(admin)).send(body);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const list = await api().get('/api/v1/schemes/gold-schemes').set(bearer(reader));
    expect(list.body.data.map((s: any) => s.id)).to.include(made.body.id);
    const long = await api().post('/api/v1/schemes/gold-schemes').set(bearer(admin)).send({ ...body, name: 'Too long', duration_months: 18 });
    expect(long.status).to.equal(422);
    expect(JSON.stringify(long.body)).to.match(/duration_months/);
    const rate = await api().post('/api/v1/schemes/gold-rates').set(bearer(admin)).send({ day: '2026-04-01', rate: 650000 });
    expect(rate.status, JSON.stringify(rate.body)).to.equal(201);
    expect((await api().post('/api/v1/schemes/gold-rates').set(bearer(admin)).send({ day: '2026-04-01', rate: 1 })).status).to.be.within(400, 422);
    expect((await api().get('/api/v1/schemes/gold-rates').set(bearer(reader))).body.data.map((r: any) => r.day)).to.include('2026-04-01');
  });

  it('enrol, pay with a reference and Idempotency-Key, read the ledger as JSON, CSV and PDF; company data invisible to others', async () => {
    const s = await makeScheme(w);
    const customer = await goldCustomer(w);
    const enrolled = await api().post('/api/v1/schemes/gold-plans').set(bearer(clerk)).send({ customer_id: customer, scheme_id: s.id, tier: 'T1', start_month: '2026-03' });
    expect(enrolled.status, JSON.stringify(enrolled.body)).to.equal(201);
    const id = enrolled.body.id;
    expect((await api().post('/api/v1/schemes/gold-plans').set(bearer(clerk)).send({ customer_id: customer, scheme_id: s.id, tier: 'T1', start_month: '2026-3' })).body).to.have.nested.property('error.fields.start_month');
    const pay = { amount: 1000, mode: 'cash', reference: 'CASH-0001', paid_at: '2026-03-04T10:00:00Z' };
    const first = await api().post(`/api/v1/schemes/gold-plans/${id}/payments`).set(bearer(clerk)).set('Idempotency-Key', 'k-1').send(pay);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body).to.include({ status: 'paid', on_time: true, reference: 'CASH-0001' });
    const repeat = await api().post(`/api/v1/schemes/gold-plans/${id}/payments`).set(bearer(clerk)).set('Idempotency-Key', 'k-1').send(pay);
    expect(repeat.body.id).to.equal(first.body.id);
    const second = await api().post(`/api/v1/schemes/gold-plans/${id}/payments`).set(bearer(clerk)).send({ ...pay, reference: 'CASH-0002', paid_at: '2026-03-09T10:00:00Z' });
    expect(second.status).to.equal(409);
    expect(JSON.stringify(second.body)).to.match(/already has its instalment for 2026-03/);
    const bad = await api().post(`/api/v1/schemes/gold-plans/${id}/payments`).set(bearer(clerk)).send({ ...pay, mode: 'barter' });
    expect(bad.status).to.be.within(400, 422);
    expect(JSON.stringify(bad.body)).to.match(/mode/);
    const ledger = await api().get(`/api/v1/schemes/gold-plans/${id}/ledger`).set(bearer(reader));
    expect(ledger.body.data).to.have.length(1);
    expect(ledger.body.data[0]).to.include({ amount: 1000, balance: 1000, reference: 'CASH-0001' });
    const csv = await api().get(`/api/v1/schemes/gold-plans/${id}/ledger?format=csv`).set(bearer(reader));
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    expect(csv.text.split('\n')[1]).to.match(/^2026-03-04,instalment,2026-03,CASH-0001,cash,1000,true/);
    const pdf = await api().get(`/api/v1/schemes/gold-plans/${id}/ledger?format=pdf`).set(bearer(reader)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.match(/application\/pdf/);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).to.equal('%PDF-');
    // Another company's user sees nothing of it, and may not enrol this company's customer in its own scheme.
    const foreignScheme = await makeScheme(await goldWorld({ t: w.t }));
    const crossed = await api().post('/api/v1/schemes/gold-plans').set(bearer(clerk)).send({ customer_id: customer, scheme_id: foreignScheme.id, tier: 'T1', start_month: '2026-03' });
    expect(crossed.status).to.equal(422);
    expect(crossed.body).to.have.nested.property('error.fields.scheme_id');
    const other = await goldWorld({ t: w.t });
    const stranger = await w.t.token(other.admin.email);
    expect((await api().get(`/api/v1/schemes/gold-plans/${id}/ledger`).set(bearer(stranger))).status).to.equal(404);
    expect((await api().get(`/api/v1/schemes/gold-plans/${id}`).set(bearer(stranger))).status).to.equal(404);
    // The clerk may not close, pause or redeem.
    for (const action of ['pause', 'close-code', 'redeem', 'change-tier']) expect((await api().post(`/api/v1/schemes/gold-plans/${id}/${action}`).set(bearer(clerk)).send({ months: 1, tier: 'T2' })).status, action).to.equal(403);
  });

  it('pause, change tier (preview, then confirm), close with the texted code, missed report', async () => {
    const s = await makeScheme(w, { reward_kind: 'fixed', reward_instalments: 1 });
    const customer = await goldCustomer(w);
    const id = (await w.gold.enrol(w.ctx, { customer_id: customer, scheme_id: s.id, tier: 'T1', start_month: '2026-12' })).id;
    const preview = await api().post(`/api/v1/schemes/gold-plans/${id}/change-tier`).set(bearer(admin)).send({ tier: 'T2', preview: true });
    expect(preview.status, JSON.stringify(preview.body)).to.equal(200);
    expect(preview.body.after).to.include({ instalment: 2000 });
    expect((await w.gold.get(w.ctx, id)).tier).to.equal('T1');
    expect((await api().post(`/api/v1/schemes/gold-plans/${id}/change-tier`).set(bearer(admin)).send({ tier: 'T2' })).status).to.equal(200);
    expect((await w.gold.get(w.ctx, id)).tier).to.equal('T2');
    const paused = await api().post(`/api/v1/schemes/gold-plans/${id}/pause`).set(bearer(admin)).send({ months: 2, from_month: '2027-01' });
    expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
    expect(paused.body.maturity_date).to.equal('2028-01-01');
    expect((await api().post(`/api/v1/schemes/gold-plans/${id}/pause`).set(bearer(admin)).send({ months: 0 })).body).to.have.nested.property('error.fields.months');
    expect((await api().post(`/api/v1/schemes/gold-plans/${id}/close-code`).set(bearer(admin)).send({})).status).to.equal(200);
    const wrong = await api().post(`/api/v1/schemes/gold-plans/${id}/close`).set(bearer(admin)).send({ code: '99999x' });
    expect(wrong.status).to.equal(422);
    expect(wrong.body).to.have.nested.property('error.fields.code');
    const closed = await api().post(`/api/v1/schemes/gold-plans/${id}/close`).set(bearer(admin)).send({ code: await lastCode(w, customer) });
    expect(closed.status, JSON.stringify(closed.body)).to.equal(200);
    expect(closed.body).to.include({ status: 'closed', closed_by: w.admin.id });
    const report = await api().get('/api/v1/schemes/reports/missed?month=2026-10').set(bearer(admin));
    expect(report.status).to.equal(200);
    expect(report.body).to.include({ month: '2026-10' });
    expect((await api().get('/api/v1/schemes/reports/missed?month=october').set(bearer(admin))).status).to.be.within(400, 422);
    expect((await api().get('/api/v1/schemes/reports/missed').set(bearer(reader))).status).to.equal(403);
  });

  it('the OpenAPI document lists the gold routes', async () => {
    const doc = await api().get('/api/v1/openapi.json').set(bearer(admin));
    const paths = Object.keys(doc.body.paths ?? {});
    for (const p of ['/api/v1/schemes/gold-schemes', '/api/v1/schemes/gold-plans', '/api/v1/schemes/gold-plans/{id}/payments', '/api/v1/schemes/gold-plans/{id}/pause', '/api/v1/schemes/gold-plans/{id}/change-tier', '/api/v1/schemes/gold-plans/{id}/close-code', '/api/v1/schemes/gold-plans/{id}/close', '/api/v1/schemes/gold-plans/{id}/redeem', '/api/v1/schemes/gold-plans/{id}/ledger', '/api/v1/schemes/reports/missed', '/api/v1/schemes/gold-rates']) {
      expect(paths, p).to.include(p);
    }
  });
});
