import { expect } from 'chai';
import { earnOnDocument } from '../points/points-earning';
import { pointsPorts } from '../points/points-ports';
import { balances, draft, enable, grant, makeCustomer, payInFull, pointsWorld, sell, uniq, type PointsWorld } from './points-fixtures';

describe('loyalty points: earning and reversal @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: PointsWorld;
  before(async () => {
    w = await pointsWorld();
  });

  it('earning rounds down: 19.99 at 1.5 points per euro earns 29, not 30', async () => {
    await enable(w, { ratio_bp: 15000 });
    const c = await makeCustomer(w);
    await sell(w, c, 1999);
    expect(await w.points.balance(w.ctx, c)).to.equal(29);
    await sell(w, c, 66); // 0.99 points: nothing
    expect(await w.points.balance(w.ctx, c)).to.equal(29);
    const s = await w.points.statement(w.ctx, c);
    expect(s.ledger.map((l) => [l.kind, l.points, l.amount])).to.deep.equal([['earned', 29, 1999]]);
  });

  it('nothing is earned while points are not active', async () => {
    await enable(w, { active: false });
    const c = await makeCustomer(w);
    await sell(w, c, 10000);
    expect(await w.points.balance(w.ctx, c)).to.equal(0);
  });

  it('a card-mandatory company gives no points without a card; the card on file or the right number earns', async () => {
    await enable(w, { card_mandatory: true });
    const c = await makeCustomer(w);
    await sell(w, c, 5000);
    expect(await w.points.balance(w.ctx, c), 'no card on file').to.equal(0);
    const card = uniq('CARD-').toUpperCase();
    await w.points.setCard(w.ctx, c, card);
    await sell(w, c, 5000, { loyalty_card: 'SOMEONE-ELSE' });
    expect(await w.points.balance(w.ctx, c), 'another card number').to.equal(0);
    await sell(w, c, 5000, { loyalty_card: false });
    expect(await w.points.balance(w.ctx, c), 'stated: no card shown').to.equal(0);
    await sell(w, c, 5000, { loyalty_card: card.toLowerCase() });
    expect(await w.points.balance(w.ctx, c), 'its card presented').to.equal(50);
    await sell(w, c, 3000);
    expect(await w.points.balance(w.ctx, c), 'card on file, document silent').to.equal(80);
  });

  it('points are not earned on the points line: 100.00 less a 5.00 tranche earns 95', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 100);
    const invoice = await draft(w, c, 10000);
    const r = await w.points.redeem(w.ctx, { invoice_id: invoice.id });
    expect(r.document.total).to.equal(9500);
    await payInFull(w, r.document);
    expect(await w.points.balance(w.ctx, c)).to.equal(95);
  });

  it('discount lines lower the amount that earns', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await sell(w, c, 0, {}, [{ productCode: 'ITEM', quantity: 2, unitPrice: 4000 }, { productCode: 'ITEM', quantity: 1, unitPrice: -1250, description: 'discount' }]);
    expect(await w.points.balance(w.ctx, c)).to.equal(67);
  });

  it('a paid invoice delivered twice earns once', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    const invoice = await sell(w, c, 4200);
    const again = await w.ctx.db.transaction((db) => earnOnDocument(pointsPorts(w.t.container), db, 'invoice', invoice.id));
    expect(again).to.include({ points: 42, created: false });
    expect(await balances(w, c)).to.deep.equal({ account: 42, ledger: 42 });
  });

  it('a credit note takes the points back in proportion, to exactly what was earned once all is credited', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    const invoice = await sell(w, c, 10000); // 100 points
    await w.creditNotes.createStandalone(w.ctx, { customerId: c, journalId: w.journals.discount.id, amount: 2550, reason: 'returned one part', metadata: { invoice_id: invoice.id } });
    expect(await w.points.balance(w.ctx, c), 'keeps floor(100 × 7450 / 10000) = 74').to.equal(74);
    await w.creditNotes.createStandalone(w.ctx, { customerId: c, journalId: w.journals.discount.id, amount: 7450, reason: 'returned the rest', metadata: { invoice_id: invoice.id } });
    expect(await w.points.balance(w.ctx, c)).to.equal(0);
    const s = await w.points.statement(w.ctx, c);
    expect(s.ledger.map((l) => [l.kind, l.points])).to.deep.equal([['earned', 100], ['reversed', -26], ['reversed', -74]]);
  });

  it('a credit note applied to the invoice (payment reversed, invoice open again) reverses too', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    const posted = await w.documents.post(w.ctx, (await draft(w, c, 8000)).id);
    const pay = await w.payments.record(w.ctx, { customerId: c, journalId: w.journals.cash.id, amount: 8000, method: 'cash', reference: uniq('P'), invoiceIds: [posted.id] });
    expect(await w.points.balance(w.ctx, c)).to.equal(80);
    await w.payments.reverse(w.ctx, pay.id, 'bounced');
    await w.creditNotes.createForInvoice(w.ctx, { invoiceId: posted.id, amount: 2000, reason: 'damaged' });
    expect(await w.points.balance(w.ctx, c)).to.equal(60);
  });

  it('a completed order earns; its refund takes back in proportion', async () => {
    await enable(w, { ratio_bp: 20000 });
    const c = await makeCustomer(w);
    const order = await w.documents.createOrder(w.ctx, { customerId: c, lines: [{ productCode: 'ITEM', quantity: 1, unitPrice: 3333 }] });
    await w.documents.setDeliveryStatus(w.ctx, order.id, 'completed');
    expect(await w.points.balance(w.ctx, c), 'floor(33.33 × 2)').to.equal(66);
    await w.documents.refundOrder(w.ctx, order.id, 1000, 'one part back');
    expect(await w.points.balance(w.ctx, c), 'keeps floor(66 × 2333 / 3333) = 46').to.equal(46);
    await w.documents.refundOrder(w.ctx, order.id, 2333, 'the rest back');
    expect(await balances(w, c)).to.deep.equal({ account: 0, ledger: 0 });
  });

  it('an invoiced order earns once, through its paid invoice, not again when completed', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    const order = await w.documents.createOrder(w.ctx, { customerId: c, lines: [{ productCode: 'ITEM', quantity: 1, unitPrice: 5000 }] });
    const invoice = await (w.documents as any).invoiceOrder(w.ctx, order.id);
    await payInFull(w, invoice);
    await w.documents.setDeliveryStatus(w.ctx, order.id, 'completed');
    expect(await balances(w, c)).to.deep.equal({ account: 50, ledger: 50 });
  });
});
