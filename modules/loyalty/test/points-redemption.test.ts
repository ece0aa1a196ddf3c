import { expect } from 'chai';
import { balances, draft, enable, grant, makeCustomer, pointsWorld, type PointsWorld } from './points-fixtures';

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string; fields: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; message: string; fields?: Record<string, string> };
    return { status: Number(e.status), message: e.message, fields: JSON.stringify(e.fields ?? {}) };
  }
  throw new Error('expected a refusal');
}

describe('loyalty points: spending on drafts @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: PointsWorld;
  before(async () => {
    w = await pointsWorld();
  });

  it('by tranche: t = min(floor(balance / P), floor(total / V)), bounded by the balance', async () => {
    await enable(w); // 100 points = 5.00
    const c = await makeCustomer(w);
    await grant(w, c, 350);
    const r = await w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 2000)).id }); // min(3, 4) = 3
    expect(r).to.include({ tranches: 3, points: 300, value: 1500, created: true });
    expect(r.document.total).to.equal(500);
    expect(await balances(w, c)).to.deep.equal({ account: 50, ledger: 50 });
  });

  it('by tranche: bounded by the total', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 350);
    const r = await w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 1299)).id }); // min(3, 2) = 2
    expect(r).to.include({ tranches: 2, points: 200, value: 1000 });
    expect(r.document.total).to.equal(299);
    expect(await w.points.balance(w.ctx, c)).to.equal(150);
  });

  it('by tranche: a balance below one tranche cannot be spent, nor a total below one tranche value', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 99);
    const low = await refusal(w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 5000)).id }));
    expect(low.status).to.equal(422);
    expect(low.fields).to.match(/points/).and.match(/less than one tranche/);
    await grant(w, c, 1);
    const small = await refusal(w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 499)).id }));
    expect(small.status).to.equal(422);
    expect(await balances(w, c)).to.deep.equal({ account: 100, ledger: 100 });
  });

  it('by direct value: points × v, capped by the total (no split point)', async () => {
    await enable(w, { mode: 'direct', point_value: 2 }); // a point is 0.02
    const c = await makeCustomer(w);
    await grant(w, c, 1000);
    const capped = await w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 1501)).id }); // min(1000, floor(1501 / 2) = 750)
    expect(capped).to.include({ points: 750, value: 1500 });
    expect(capped.document.total).to.equal(1);
    const all = await w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 10000)).id });
    expect(all).to.include({ points: 250, value: 500 });
    expect(await balances(w, c)).to.deep.equal({ account: 0, ledger: 0 });
  });

  it('by direct value: a smaller number of points can be asked for', async () => {
    await enable(w, { mode: 'direct', point_value: 1 });
    const c = await makeCustomer(w);
    await grant(w, c, 500);
    const r = await w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 10000)).id, points: 120 });
    expect(r).to.include({ points: 120, value: 120 });
    expect(await w.points.balance(w.ctx, c)).to.equal(380);
  });

  it('the points line uses the configured product, tax exempt, once per document', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 350);
    const invoice = await draft(w, c, 3000);
    const r = await w.points.redeem(w.ctx, { invoice_id: invoice.id });
    const line = r.document.lines!.find((l) => l.amount < 0)!;
    expect(line).to.include({ product_code: 'PTS', quantity: 1, unit_price: -1500, tax: 0, amount: -1500 });
    const again = await w.points.redeem(w.ctx, { invoice_id: invoice.id });
    expect(again).to.include({ created: false, points: 300 });
    expect((await w.documents.get(w.ctx, invoice.id)).lines!.filter((l) => l.product_code === 'PTS')).to.have.length(1);
    expect(await w.points.balance(w.ctx, c)).to.equal(50);
  });

  it('settings naming a missing product are refused with the code named; a product removed later refuses the redemption', async () => {
    const missing = await refusal(enable(w, { product_code: 'NOPE' }));
    expect(missing.status).to.equal(422);
    expect(missing.message + missing.fields).to.match(/NOPE/);
    await w.t.container.get<any>(Symbol.for('billing.product')).create(w.ctx, { code: 'PTS2', name: 'Points 2', unit_price: 0 });
    await enable(w, { product_code: 'PTS2' });
    const c = await makeCustomer(w);
    await grant(w, c, 500);
    const product = await w.t.knex('billing_products').where({ company_id: w.companyId, code: 'PTS2' }).first('id');
    await w.t.container.get<any>(Symbol.for('billing.product')).update(w.ctx, product.id, { is_active: false });
    const gone = await refusal(w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 3000)).id }));
    expect(gone.status).to.equal(422);
    expect(gone.message + gone.fields).to.match(/PTS2/);
    expect(await w.points.balance(w.ctx, c)).to.equal(500);
  });

  it('a posted invoice is not a draft: refused, nothing spent', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 500);
    const posted = await w.documents.post(w.ctx, (await draft(w, c, 3000)).id);
    expect((await refusal(w.points.redeem(w.ctx, { invoice_id: posted.id }))).status).to.equal(409);
    expect(await w.points.balance(w.ctx, c)).to.equal(500);
  });

  it('a draft order takes points the same way', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 250);
    const order = await w.documents.createOrder(w.ctx, { customerId: c, lines: [{ productCode: 'ITEM', quantity: 1, unitPrice: 4000 }] });
    const r = await w.points.redeem(w.ctx, { order_id: order.id });
    expect(r).to.include({ points: 200, value: 1000 });
    expect(r.document.total).to.equal(3000);
  });
});
