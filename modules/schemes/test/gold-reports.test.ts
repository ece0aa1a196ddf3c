import { expect } from 'chai';
import supertest from 'supertest';
import { collections, dueThisWeek, liabilities, maturing, weekOf } from '../gold/reports/gold-reports';
import { reportCsv } from '../gold/reports/report-csv';
import { enrol, goldCustomer, goldWorld, lastCode, makeScheme, payOn, type GoldWorld } from './gold-fixtures';

const ZONE = 'Asia/Kolkata';
// Wednesday 18 November 2026, 11:30 in Kolkata: the week is Monday 16 to Sunday 22 November.
const NOW = new Date('2026-11-18T06:00:00Z');

describe('gold scheme reports: missed, due this week, collections, maturing, liabilities @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: GoldWorld;
  let admin: string;
  let reader: string;
  const ports = { zone: async () => ZONE } as any;
  const plan: Record<string, any> = {};
  let a: any;
  let b: any;

  before(async () => {
    w = await goldWorld({ timezone: ZONE });
    admin = await w.t.token(w.admin.email);
    reader = await w.t.token((await w.t.createUser({ permissions: ['schemes.plan.read'], companyIds: [w.companyId] })).email);
    // A: window 1st–10th, 3 months; B: window 15th–25th, 3 months.
    a = await makeScheme(w, { name: 'Alpha 3', duration_months: 3 });
    b = await makeScheme(w, { name: 'Beta 3', duration_months: 3, window_start_day: 15, window_end_day: 25 });
    plan.p1 = await enrol(w, a.id, await goldCustomer(w), '2026-09');
    await payOn(w, plan.p1.id, '2026-09-05', 1000);
    await payOn(w, plan.p1.id, '2026-10-03', 1000);
    plan.p2 = await enrol(w, a.id, await goldCustomer(w), '2026-10', 'T2');
    await payOn(w, plan.p2.id, '2026-10-05', 2000);
    // 00:30 on 4 November in Kolkata, still 3 November in UTC: collected on the 4th.
    await w.gold.pay(w.ctx, plan.p2.id, { amount: 2000, mode: 'cash', reference: 'MIDNIGHT', paid_at: '2026-11-03T19:00:00Z' } as any);
    plan.p3 = await enrol(w, b.id, await goldCustomer(w), '2026-11');
    plan.p4 = await enrol(w, b.id, await goldCustomer(w), '2026-11');
    await payOn(w, plan.p4.id, '2026-11-16', 1000);
    const c5 = await goldCustomer(w);
    plan.p5 = await enrol(w, b.id, c5, '2026-10');
    await payOn(w, plan.p5.id, '2026-10-20', 1000);
    await payOn(w, plan.p5.id, '2026-11-17', 1000);
    await w.gold.sendCloseCode(w.ctx, plan.p5.id);
    await w.gold.close(w.ctx, plan.p5.id, { code: await lastCode(w, c5) });
    plan.p6 = await enrol(w, a.id, await goldCustomer(w), '2026-09');
    for (const day of ['2026-09-02', '2026-10-02', '2026-11-02']) await payOn(w, plan.p6.id, day, 1000);
    // p1's November passed its window unpaid: flagged, its maturity moves from December to January.
    expect(await w.gold.flagMissed(w.ctx, NOW)).to.include({ flagged: 1 });
  });

  it('the week is Monday to Sunday of the company day', () => {
    expect(weekOf('2026-11-18')).to.deep.equal({ from: '2026-11-16', to: '2026-11-22' });
    expect(weekOf('2026-11-22')).to.deep.equal({ from: '2026-11-16', to: '2026-11-22' });
    expect(weekOf('2026-11-23')).to.deep.equal({ from: '2026-11-23', to: '2026-11-29' });
  });

  it("missed payments of the company's month name the plan once", async () => {
    const r = await w.gold.missedReport(w.ctx, '2026-11');
    expect(r.data.map((x) => x.plan_id)).to.deep.equal([plan.p1.id]);
    expect((await w.gold.missedReport(w.ctx, '2026-10')).count).to.equal(0);
  });

  it('due this week: an unpaid month whose window overlaps the week; paid, closed and out-of-window plans are not due', async () => {
    const r = await dueThisWeek(ports, w.ctx, NOW);
    expect(r).to.include({ from: '2026-11-16', to: '2026-11-22', count: 1, total: 1000 });
    expect(r.data[0]).to.include({ plan_id: plan.p3.id, month: '2026-11', window_first: '2026-11-15', window_last: '2026-11-25', amount: 1000, scheme: 'Beta 3' });
    // Week of 30 November: A's December window (1st–10th) starts in it, B's (15th–25th) does not.
    const next = await dueThisWeek(ports, w.ctx, new Date('2026-11-30T06:00:00Z'));
    expect(next.data.map((x) => `${x.plan_id}:${x.month}:${x.amount}`)).to.deep.equal([`${plan.p1.id}:2026-12:1000`, `${plan.p2.id}:2026-12:2000`]);
  });

  it('collections per company day and scheme count paid instalments only, the midnight payment on its local day', async () => {
    const r = await collections(ports, w.ctx, {}, NOW);
    expect(r).to.include({ from: '2026-11-01', to: '2026-11-18', count: 4, total: 5000 });
    expect(r.data.map((x) => `${x.day} ${x.scheme} ${x.count} ${x.amount}`)).to.deep.equal([
      '2026-11-02 Alpha 3 1 1000', '2026-11-04 Alpha 3 1 2000', '2026-11-16 Beta 3 1 1000', '2026-11-17 Beta 3 1 1000',
    ]);
    const oct = await collections(ports, w.ctx, { from: '2026-10-01', to: '2026-10-31' }, NOW);
    expect(oct).to.include({ count: 4, total: 5000 });
    const bad = await collections(ports, w.ctx, { from: '2026-11-10', to: '2026-11-01' }, NOW).catch((e) => e);
    expect(bad.fields).to.have.property('to');
  });

  it('maturing next month: the fully paid plan matures in December; the missed one moved to January', async () => {
    const dec = await maturing(ports, w.ctx, undefined, NOW);
    expect(dec.month).to.equal('2026-12');
    expect(dec.data.map((x) => x.plan_id)).to.deep.equal([plan.p6.id]);
    expect(dec.data[0]).to.include({ paid_total: 3000, paid_count: 3, maturity_date: '2026-12-01' });
    const jan = await maturing(ports, w.ctx, '2027-01', NOW);
    expect(jan.data.map((x) => x.plan_id)).to.deep.equal([plan.p1.id, plan.p2.id]);
  });

  it('liabilities: money held per scheme is paid in minus what closed plans handed back', async () => {
    const r = await liabilities(ports, w.ctx, NOW);
    expect(r.total_held).to.equal(10_000);
    expect(r.data.map((x) => ({ ...x }))).to.deep.equal([
      { scheme_id: a.id, scheme: 'Alpha 3', open_plans: 3, paid_in: 9000, released: 0, held: 9000, grams_milli_held: 0 },
      { scheme_id: b.id, scheme: 'Beta 3', open_plans: 2, paid_in: 3000, released: 2000, held: 1000, grams_milli_held: 0 },
    ]);
  });

  it('CSV cells are formula-safe and quoted', () => {
    const csv = reportCsv('liabilities', [{ scheme_id: 1, scheme: '=HYPERLINK("x")', open_plans: 1, paid_in: 5, released: 0, held: 5, grams_milli_held: 0 }]);
    expect(csv.split('\n')[1]).to.equal(`1,"'=HYPERLINK(""x"")",1,5,0,5,0`);
  });

  it('the API needs schemes.report.read, answers JSON and CSV, is in the OpenAPI document; the pages render', async () => {
    const api = () => supertest(w.t.app);
    for (const name of ['missed', 'due-week', 'collections', 'maturing', 'liabilities']) {
      expect((await api().get(`/api/v1/schemes/reports/${name}`).set({ Authorization: `Bearer ${reader}` })).status, name).to.equal(403);
      const json = await api().get(`/api/v1/schemes/reports/${name}`).set({ Authorization: `Bearer ${admin}`, Accept: 'application/json' });
      expect(json.status, `${name} ${JSON.stringify(json.body)}`).to.equal(200);
      const csv = await api().get(`/api/v1/schemes/reports/${name}?format=csv`).set({ Authorization: `Bearer ${admin}` });
      expect(csv.status).to.equal(200);
      expect(csv.headers['content-type']).to.match(/text\/csv/);
    }
    const held = await api().get('/api/v1/schemes/reports/liabilities?format=csv').set({ Authorization: `Bearer ${admin}` });
    expect(held.text).to.contain('Beta 3,2,3000,2000,1000,0');
    const missed = await api().get('/api/v1/schemes/reports/missed?month=2026-11&format=csv').set({ Authorization: `Bearer ${admin}` });
    expect(missed.text.split('\n')[1]).to.match(new RegExp(`^${plan.p1.id},2026-11,`));
    const bad = await api().get('/api/v1/schemes/reports/collections?from=2026-13').set({ Authorization: `Bearer ${admin}`, Accept: 'application/json' });
    expect(bad.status).to.be.within(400, 422);
    expect(JSON.stringify(bad.body)).to.match(/from/);
    const openapi = await api().get('/api/v1/openapi.json').set({ Authorization: `Bearer ${admin}` });
    for (const name of ['missed', 'due-week', 'collections', 'maturing', 'liabilities']) expect(openapi.body.paths, name).to.have.property(`/api/v1/schemes/reports/${name}`);
    const agent = await w.t.login(w.admin.email, w.admin.password);
    const index = await agent.get('/schemes/gold/reports');
    expect(index.status).to.equal(200);
    expect(index.text).to.contain('/schemes/gold/reports/liabilities');
    const page = await agent.get('/schemes/gold/reports/collections?from=2026-11-01&to=2026-11-18');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('gold-collections-chart.js');
    expect(page.text).not.to.match(/<script>(?!<\/script>)/);
    const held2 = await agent.get('/schemes/gold/reports/liabilities');
    expect(held2.text).to.contain('Beta 3');
  });
});
