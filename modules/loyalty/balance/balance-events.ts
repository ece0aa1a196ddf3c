import { ValidationError, type ModuleContext, type ScopedDb } from 'tessera/core';
import { BILLING_EVENTS, type OrderRefunded, type PaymentPosted } from '../../billing/api';
import { BALANCE_JOURNAL_CODE, type BalancePorts } from './balance-ports';
import { LEDGER, guardedUpdateQuery, move, type Movement } from './balance-store';
import { answerSpend } from './spend-answers';
import { bestOffer, shareOf } from './offer-rules';
import { activeOffers } from './offer-store';

/**
 * The balance reacts inside billing's transactions, so a payment and its effect on the balance commit
 * or roll back together: a spend refused by the guarded update refuses billing's payment.
 */
export function subscribeBalance(events: ModuleContext['events'], ports: BalancePorts): void {
  events.on(BILLING_EVENTS.paymentPosted, async ({ db, event, sentAhead }) => {
    const p = event.payload;
    if (p.journal_code === BALANCE_JOURNAL_CODE) await spend(db, event.companyId, p, sentAhead);
    else if (p.metadata?.loyalty_recharge === true) await recharge(ports, db, event.companyId, p);
  }, {
    name: 'loyalty:balance-payment-posted',
    // A spend's guarded update travels with the event's outbox row: a round trip fewer. Nothing else
    // reacting to billing's payment touches the balance rows.
    sendAhead: ({ db, event }) => (event.payload.journal_code === BALANCE_JOURNAL_CODE ? guardedUpdateQuery(db, spendOf(event.companyId, event.payload)) : null),
  });

  // A payment made from the balance and reversed in billing puts the money back, once.
  events.on(BILLING_EVENTS.paymentReversed, async ({ db, event }) => {
    const p = event.payload;
    const spent = await db.queryCompany(event.companyId, LEDGER).where({ source_key: `payment:${p.payment_id}` }).first('customer_id', 'amount', 'order_id', 'invoice_id');
    if (!spent) return;
    await move(db, { companyId: event.companyId, customerId: Number(spent.customer_id), kind: 'payment_reversed', amount: -Number(spent.amount), guard: 'none', sourceKey: `payment_reversed:${p.payment_id}`, paymentId: p.payment_id, orderId: (spent.order_id as number | null) ?? null, invoiceId: (spent.invoice_id as number | null) ?? null, reason: 'payment reversed in billing' });
  }, { name: 'loyalty:balance-payment-reversed' });

  // Cashback once per order (its source key), only when the order becomes completed.
  events.on(BILLING_EVENTS.orderCompleted, async ({ db, event }) => {
    const o = event.payload;
    const best = bestOffer(await activeOffers(db, event.companyId, 'cashback'), { kind: 'cashback', amount: o.total, day: await ports.today(db, event.companyId) });
    if (!best) return;
    await move(db, { companyId: event.companyId, customerId: o.customer_id, kind: 'cashback', amount: best.value, guard: 'none', sourceKey: `cashback:${o.order_id}`, orderId: o.order_id, offerId: best.offer.id, reason: best.offer.name });
  }, { name: 'loyalty:cashback' });

  events.on(BILLING_EVENTS.orderRefunded, async ({ db, event }) => {
    await refund(ports, db, event.companyId, event.payload);
  }, { name: 'loyalty:order-refunded' });
}

/**
 * A payment in loyalty's journal (from the API, or billing's counter) is money taken from the balance.
 * `updated`: the guarded update's count, when it was sent ahead with the event. The payment is posted
 * in this very transaction, so its source key is new (`fresh`): the ledger row and the read of the
 * balance after it travel with the COMMIT, and that balance goes to the request waiting for the spend.
 */
async function spend(db: ScopedDb, companyId: number, p: PaymentPosted, updated?: unknown): Promise<void> {
  const moved = await move(db, spendOf(companyId, p), { updated: updated === undefined ? undefined : Number(updated) === 1, fresh: true });
  if (moved.balanceAfter) answerSpend(companyId, p.reference, p.payment_id, moved.balanceAfter);
}

function spendOf(companyId: number, p: PaymentPosted): Movement {
  const orderId = Number(p.metadata?.order_id) || null;
  const invoiceId = Number(p.metadata?.invoice_id) || p.allocations[0]?.invoice_id || null;
  return { companyId, customerId: p.customer_id, kind: 'payment', amount: -p.amount, guard: 'limit', sourceKey: `payment:${p.payment_id}`, paymentId: p.payment_id, orderId, invoiceId, reason: p.reference };
}

/**
 * A recharge paid in billing: the amount and the best offer's bonus go to the balance, and the billing
 * credit the payment left is consumed, so the money is counted once (as balance, not also as credit).
 */
async function recharge(ports: BalancePorts, db: ScopedDb, companyId: number, p: PaymentPosted): Promise<void> {
  if (p.method === 'credit') throw new ValidationError({ method: 'a recharge cannot be paid from the balance or customer credit' });
  const credited = await move(db, { companyId, customerId: p.customer_id, kind: 'recharge', amount: p.amount, guard: 'none', sourceKey: `recharge:${p.payment_id}`, paymentId: p.payment_id, reason: p.reference });
  if (!credited.moved) return;
  await ports.accounts().spendCredit(db, { customerId: p.customer_id, amount: p.amount, reference: `loyalty:recharge:${p.payment_id}`, consume: true, metadata: { loyalty: 'recharge', payment_id: p.payment_id } });
  const best = bestOffer(await activeOffers(db, companyId, 'recharge'), { kind: 'recharge', amount: p.amount, method: p.method, day: await ports.today(db, companyId) });
  if (best) await move(db, { companyId, customerId: p.customer_id, kind: 'bonus', amount: best.value, guard: 'none', sourceKey: `bonus:${p.payment_id}`, paymentId: p.payment_id, offerId: best.offer.id, reason: best.offer.name });
}

/**
 * A refund of an order: what was paid from the balance comes back, and the cashback is taken back, both
 * in proportion to the order refunded so far (`share(x, refunded so far, total)`, half-up, cumulative so
 * partial refunds add up to the whole exactly). Runs under billing's lock on the order.
 */
async function refund(ports: BalancePorts, db: ScopedDb, companyId: number, r: OrderRefunded): Promise<void> {
  const sums = (await db.queryCompany(companyId, LEDGER).where({ order_id: r.order_id }).groupBy('kind').select('kind').sum({ total: 'amount' })) as Array<{ kind: string; total: unknown }>;
  if (!sums.length) return;
  const sum = (...kinds: string[]) => sums.filter((s) => kinds.includes(s.kind)).reduce((acc, s) => acc + Number(s.total ?? 0), 0);
  const order = await ports.documents().get(db, r.order_id);
  const before = (await db.queryCompany(companyId, 'loyalty_order_refunds').where({ order_id: r.order_id }).select('amount')) as Array<{ amount: unknown }>;
  const seq = before.length + 1;
  const refunded = before.reduce((acc, row) => acc + Number(row.amount), 0) + r.amount;
  await db.insert('loyalty_order_refunds', { company_id: companyId, order_id: r.order_id, seq, amount: r.amount }, { audit: false });

  const paid = -sum('payment', 'payment_reversed');
  const back = Math.min(shareOf(paid, refunded, order.total), paid) - sum('refund');
  if (back > 0) {
    // The balance payment left billing credit on the customer (orders have no receivable): take it back too.
    const credit = (await ports.accounts().balance(db, r.customer_id)).credit;
    const take = Math.min(back, credit);
    if (take > 0) await ports.accounts().spendCredit(db, { customerId: r.customer_id, amount: take, reference: `loyalty:refund:${r.order_id}:${seq}`, consume: true, metadata: { loyalty: 'refund', order_id: r.order_id } });
    await move(db, { companyId, customerId: r.customer_id, kind: 'refund', amount: back, guard: 'none', sourceKey: `refund:${r.order_id}:${seq}`, orderId: r.order_id, reason: `order refunded (${r.amount})` });
  }
  const cashback = sum('cashback');
  const takeBack = shareOf(cashback, refunded, order.total) + sum('cashback_reversed');
  // Taken back even below the credit limit: refusing it would refuse the refund itself.
  if (takeBack > 0) await move(db, { companyId, customerId: r.customer_id, kind: 'cashback_reversed', amount: -takeBack, guard: 'none', sourceKey: `cashback_reversed:${r.order_id}:${seq}`, orderId: r.order_id, reason: `order refunded (${r.amount})` });
}
