import { ConflictError, isDuplicateKey, isTransientConflict, type RequestContext, type ScopedDb } from 'tessera/core';
import type { Container } from 'inversify';
import { BILLING, type BillingDocument, type DocumentService } from '../../billing/api';
import { CRM, type CustomerGroupService } from '../../crm/api';
import type { CouponRedemption, CouponRedemptionService } from '../api';
import { CODES_TABLE, normalizeCode } from './coupon-codes';
import { calendarDay, companyZone, CouponRefused, discountFor, validityProblem } from './coupon-rules';

export const REDEMPTIONS = 'loyalty_coupon_redemptions';
const COUPONS = 'loyalty_coupons';
const CUSTOMER_USES = 'loyalty_coupon_customer_uses';
const DOCUMENT_LOCKS = 'loyalty_coupon_document_locks';
const RETRIES = 4;

type Row = Record<string, any>;
type Kind = 'order' | 'invoice';

/**
 * Applying a code to a draft: checks in the order a cashier can act on (the code, the document, the
 * dates, the minimum, the group), then takes the uses with guarded updates in one transaction (the
 * single-use code `where redeemed_at is null`, the coupon `where uses < usage_limit`, the customer's
 * counter `where uses < per_customer_limit`), records the redemption under its unique keys and adds the
 * discount line through billing. Whatever refuses rolls the whole of it back. The same coupon on the
 * same document again answers the first redemption.
 */
export class CouponRedemptions implements CouponRedemptionService {
  constructor(private readonly container: Container) {}

  private get documents(): DocumentService {
    return this.container.get<DocumentService>(BILLING.Documents);
  }
  private get groups(): CustomerGroupService {
    return this.container.get<CustomerGroupService>(CRM.CustomerGroups);
  }

  async apply(ctx: RequestContext, input: { code: string; documentId: number; kind?: Kind }): Promise<CouponRedemption> {
    const code = normalizeCode(input.code);
    for (let attempt = 1; ; attempt++) {
      try {
        return await ctx.db.transaction((db) => this.applyIn(ctx.withDb(db), code, input.documentId, input.kind));
      } catch (error) {
        // Another request got there first: when it put this coupon on this very document, that is our answer.
        if (error instanceof CouponRefused || isDuplicateKey(error)) {
          const existing = await this.existing(ctx.db, code, input.documentId);
          if (existing) return existing;
        }
        if (attempt < RETRIES && (isTransientConflict(error) || error instanceof StaleTotal)) {
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
          continue;
        }
        if (isDuplicateKey(error)) throw new CouponRefused('already_redeemed', 'code', `coupon code ${code} was already redeemed`);
        throw error;
      }
    }
  }

  private async applyIn(ctx: RequestContext, code: string, documentId: number, kind: Kind | undefined): Promise<CouponRedemption> {
    const db = ctx.db;
    const companyId = db.principal.companyId;
    await lockDocument(db, documentId);
    const docField = kind === 'order' ? 'order_id' : 'invoice_id';
    const codeRow = (await db.queryCompany(companyId, CODES_TABLE).where({ code }).first()) as Row | undefined;
    const coupon = codeRow ? ((await db.queryCompany(companyId, COUPONS).where({ id: codeRow.coupon_id }).first()) as Row | undefined) : undefined;
    if (!codeRow || !coupon) throw new CouponRefused('unknown', 'code', `no coupon with code ${code}`);
    if (!coupon.active) throw new CouponRefused('inactive', 'code', `coupon ${coupon.name} is not active`);

    const existing = await this.redemptionOf(db, Number(coupon.id), documentId);
    if (existing) return existing;

    const doc = await this.document(ctx, documentId, kind, docField);
    if (doc.status !== 'draft') throw new CouponRefused('not_a_draft', docField, `${doc.kind} ${doc.number ?? doc.id} is ${doc.status}: coupons apply to drafts only`);
    const day = calendarDay(await companyZone(db, companyId));
    const outside = validityProblem(day, coupon.valid_from ?? null, coupon.valid_to ?? null);
    if (outside === 'expired') throw new CouponRefused('expired', 'code', `coupon ${code} expired: it was valid until ${coupon.valid_to} (today is ${day})`);
    if (outside === 'not_yet_valid') throw new CouponRefused('not_yet_valid', 'code', `coupon ${code} is valid from ${coupon.valid_from} (today is ${day})`);
    if (doc.total < Number(coupon.min_order)) throw new CouponRefused('below_minimum', docField, `the ${doc.kind} total ${doc.total} is below the coupon's minimum order ${coupon.min_order}`);
    await this.checkGroups(ctx, coupon, doc.customer_id);
    const amount = discountFor({ kind: coupon.kind, amount: coupon.amount === null ? null : Number(coupon.amount), percent: coupon.percent === null ? null : Number(coupon.percent) }, doc.total);
    if (amount <= 0) throw new CouponRefused('below_minimum', docField, `the ${doc.kind} total ${doc.total} leaves nothing to discount`);

    const knex = db.unscoped("loyalty's own coupon rows of the caller's company, guarded updates in its transaction");
    const single = coupon.mode === 'single';
    if (single) {
      const taken = await knex(CODES_TABLE)
        .where({ id: codeRow.id, company_id: companyId })
        .whereNull('redeemed_at')
        .update({ redeemed_at: new Date(), customer_id: doc.customer_id, document_id: doc.id, updated_at: new Date() });
      if (taken === 0) throw new CouponRefused('already_redeemed', 'code', `coupon code ${code} was already redeemed`);
    }
    const counted = await knex(COUPONS)
      .where({ id: coupon.id, company_id: companyId })
      .where((q) => q.whereNull('usage_limit').orWhereRaw('uses < usage_limit'))
      .update({ uses: knex.raw('uses + 1'), discount_given: knex.raw('discount_given + ?', [amount]) });
    if (counted === 0) throw new CouponRefused('limit_reached', 'code', `coupon ${code} reached its limit of ${coupon.usage_limit} uses`);
    if (coupon.per_customer_limit !== null && coupon.per_customer_limit !== undefined) {
      await knex(CUSTOMER_USES).insert({ company_id: companyId, coupon_id: coupon.id, customer_id: doc.customer_id, uses: 0 }).onConflict(['company_id', 'coupon_id', 'customer_id']).ignore();
      const mine = await knex(CUSTOMER_USES)
        .where({ company_id: companyId, coupon_id: coupon.id, customer_id: doc.customer_id })
        .where('uses', '<', Number(coupon.per_customer_limit))
        .update({ uses: knex.raw('uses + 1') });
      if (mine === 0) throw new CouponRefused('customer_limit_reached', 'code', `customer ${doc.customer_id} already used coupon ${code} ${coupon.per_customer_limit} time(s), its limit per customer`);
    }
    const id = await db.insert(REDEMPTIONS, {
      coupon_id: coupon.id,
      code_id: codeRow.id,
      code,
      customer_id: doc.customer_id,
      document_id: doc.id,
      document_kind: doc.kind,
      amount,
      single_key: single ? codeRow.id : null,
      day,
    });
    const after = await this.documents.addLine(db, doc.id, { productCode: String(coupon.discount_product_code), quantity: 1, unitPrice: -amount, description: `Coupon ${code}`, taxExempt: true });
    // The total was read before billing locked the document: another discount may have landed in
    // between. Never leave a document below zero; start over on the fresh total instead.
    if (after.total < 0) throw new StaleTotal();
    return { id, coupon_id: Number(coupon.id), code, customer_id: doc.customer_id, document_id: doc.id, document_kind: doc.kind as Kind, amount, day, created: true };
  }

  private async document(ctx: RequestContext, id: number, kind: Kind | undefined, field: string): Promise<BillingDocument> {
    const doc = await this.documents.get(ctx.db, id).catch(() => null);
    const refuse = () => new CouponRefused('unknown', field, `no ${kind ?? 'document'} ${id}`);
    if (!doc || (kind && doc.kind !== kind)) throw refuse();
    if (doc.kind !== 'order' && doc.kind !== 'invoice') throw new CouponRefused('not_a_draft', field, `${doc.kind} ${id}: coupons apply to draft orders and invoices`);
    return doc;
  }

  private async checkGroups(ctx: RequestContext, coupon: Row, customerId: number): Promise<void> {
    const groupIds = parseIds(coupon.group_ids);
    if (groupIds.length === 0) return;
    for (const groupId of groupIds) if (await this.groups.isMember(ctx, groupId, customerId)) return;
    const names = await Promise.all(groupIds.map((g) => this.groups.get(ctx, g).then((x) => x.name, () => `#${g}`)));
    throw new CouponRefused('outside_group', 'code', `customer ${customerId} is in none of the coupon's groups (${names.join(', ')})`);
  }

  private async redemptionOf(db: ScopedDb, couponId: number, documentId: number): Promise<CouponRedemption | null> {
    const row = (await db.queryCompany(db.principal.companyId, REDEMPTIONS).where({ coupon_id: couponId, document_id: documentId }).first()) as Row | undefined;
    return row ? toRedemption(row, false) : null;
  }

  /** Outside the failed transaction (a fresh read sees what the winner committed). */
  private async existing(db: ScopedDb, code: string, documentId: number): Promise<CouponRedemption | null> {
    const codeRow = (await db.queryCompany(db.principal.companyId, CODES_TABLE).where({ code }).first()) as Row | undefined;
    return codeRow ? this.redemptionOf(db, Number(codeRow.coupon_id), documentId) : null;
  }

  async usedBy(ctx: RequestContext, customerId: number, limit = 20): Promise<Array<Omit<CouponRedemption, 'created'> & { coupon_name: string }>> {
    const rows = (await ctx.db
      .query(REDEMPTIONS, 'r')
      .join(`${COUPONS} as c`, 'c.id', 'r.coupon_id')
      .where('r.customer_id', customerId)
      .orderBy('r.id', 'desc')
      .limit(limit)
      .select('r.*', 'c.name as coupon_name')) as Row[];
    return rows.map((r) => ({ ...toRedemption(r, false), coupon_name: String(r.coupon_name) }));
  }
}

function toRedemption(row: Row, created: boolean): CouponRedemption {
  return { id: Number(row.id), coupon_id: Number(row.coupon_id), code: String(row.code), customer_id: Number(row.customer_id), document_id: Number(row.document_id), document_kind: row.document_kind, amount: Number(row.amount), day: String(row.day), created };
}

export function parseIds(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(Number);
  try {
    const parsed = JSON.parse(String(value ?? '[]'));
    return Array.isArray(parsed) ? parsed.map(Number) : [];
  } catch {
    return [];
  }
}

/** A 409 when it still happens after the retries. */
class StaleTotal extends ConflictError {
  constructor() {
    super('the document changed while the coupon was applied; try again', {}, 'document_changed');
  }
}

/**
 * Coupons on one document queue here, first thing in the transaction: on MariaDB the snapshot of
 * every later read (the document's total, billing's sum of its lines) is then taken after the previous
 * coupon on it committed, so a percent or a cap is computed on the real total. Our own row: billing's
 * document row is billing's to lock.
 */
async function lockDocument(db: ScopedDb, documentId: number): Promise<void> {
  const knex = db.unscoped("loyalty's lock row of a document of the caller's company");
  const companyId = db.principal.companyId;
  await knex(DOCUMENT_LOCKS).insert({ company_id: companyId, document_id: documentId }).onConflict(['company_id', 'document_id']).ignore();
  if (db.client !== 'better-sqlite3') await knex(DOCUMENT_LOCKS).where({ company_id: companyId, document_id: documentId }).forUpdate().first();
}
