import type { ScopedDb } from 'tessera/core';
import type { DocumentLinesRemoved } from '../../billing/api';
import { CODES_TABLE, normalizeCode } from './coupon-codes';
import { REDEMPTIONS } from './coupon-redemptions';

const COUPONS = 'loyalty_coupons';
const CUSTOMER_USES = 'loyalty_coupon_customer_uses';
const LINE_PREFIX = 'Coupon ';

type Row = Record<string, any>;

/**
 * A coupon's discount line left its draft (edited out, or the draft cancelled): the use it took is given
 * back, so the coupon's limit, the customer's limit and a single-use code count it no more, and the code
 * can be applied again. The redemption row is deleted by a guarded delete first: a second delivery of the
 * event finds nothing to delete and gives nothing back twice.
 */
export async function releaseRemovedCoupons(db: ScopedDb, removed: DocumentLinesRemoved): Promise<number> {
  let released = 0;
  for (const line of removed.lines) {
    if (!line.description.startsWith(LINE_PREFIX) || line.unit_price >= 0) continue;
    if (await releaseOne(db, removed.document_id, normalizeCode(line.description.slice(LINE_PREFIX.length)), line.product_code)) released++;
  }
  return released;
}

async function releaseOne(db: ScopedDb, documentId: number, code: string, productCode: string): Promise<boolean> {
  const companyId = db.principal.companyId;
  const redemption = (await db.queryCompany(companyId, REDEMPTIONS).where({ code, document_id: documentId }).first()) as Row | undefined;
  if (!redemption) return false;
  const coupon = (await db.queryCompany(companyId, COUPONS).where({ id: redemption.coupon_id }).first('id', 'discount_product_code')) as Row | undefined;
  // A line of another product that merely reads "Coupon X" was not this coupon's discount.
  if (!coupon || String(coupon.discount_product_code).toUpperCase() !== productCode.toUpperCase()) return false;
  const knex = db.unscoped("loyalty's own coupon rows of the caller's company, given back in the event's transaction");
  const deleted = await knex(REDEMPTIONS).where({ id: redemption.id, company_id: companyId }).delete();
  if (deleted === 0) return false;
  const amount = Number(redemption.amount);
  await knex(COUPONS)
    .where({ id: coupon.id, company_id: companyId })
    .where('uses', '>', 0)
    .update({ uses: knex.raw('uses - 1'), discount_given: knex.raw('discount_given - ?', [amount]) });
  await knex(CUSTOMER_USES).where({ company_id: companyId, coupon_id: coupon.id, customer_id: redemption.customer_id }).where('uses', '>', 0).update({ uses: knex.raw('uses - 1') });
  if (redemption.single_key != null) {
    await knex(CODES_TABLE).where({ id: redemption.code_id, company_id: companyId, document_id: documentId }).update({ redeemed_at: null, customer_id: null, document_id: null, updated_at: new Date() });
  }
  await db.audit({ table: REDEMPTIONS, recordId: Number(redemption.id), action: 'release', changes: { code, document_id: documentId, amount } });
  return true;
}
