import { ConflictError, NotFoundError, ValidationError, type ScopedDb } from 'tessera/core';
import type { BillingDocument } from '../../billing/api';
import { appendLine, inTransaction, lockAccount, type LedgerLine } from './points-ledger';
import { spendKey, spendsOn } from './points-return';
import type { PointsPorts } from './points-ports';
import { redemptionOf } from './points-rules';
import { readSettings } from './points-settings';

export interface RedemptionInput {
  invoice_id?: number;
  order_id?: number;
  /** At most this many points (direct value; in tranche mode, whole tranches within it). Default: all that can be spent. */
  points?: number;
}

export interface RedemptionResult {
  created: boolean;
  points: number;
  value: number;
  tranches: number | null;
  line: LedgerLine;
  document: BillingDocument;
}

/**
 * Spends a customer's points on a draft invoice or order, as a negative line of the points product
 * (tax exempt, so the line is exactly the value spent). One redemption standing per document: asking
 * again answers it (once its line left the draft and the points came back, a new one can be made).
 * The points leave the account by a guarded update (`balance >= points`) under the account's row
 * lock, so two redemptions at once cannot spend the same points twice.
 */
export async function redeem(ports: PointsPorts, db: ScopedDb, input: RedemptionInput): Promise<RedemptionResult> {
  const kind = input.invoice_id ? 'invoice' : input.order_id ? 'order' : null;
  if (!kind || (input.invoice_id && input.order_id)) throw new ValidationError({ invoice_id: 'give invoice_id or order_id (one of them)' });
  const documentId = Number(input.invoice_id ?? input.order_id);
  const field = `${kind}_id`;
  return inTransaction(db, async (trx) => {
    const settings = await readSettings(trx);
    if (!settings.active) throw new ConflictError('Points are not active in this company (loyalty settings)');
    // The product may have been removed since the settings were saved: billing names the code.
    const product = await ports.catalog().productByCode(trx, settings.product_code);
    const doc = await ports.documents().get(trx, documentId).catch((error) => {
      if (error instanceof NotFoundError) throw new ValidationError({ [field]: `no ${kind} ${documentId}` });
      throw error;
    });
    if (doc.kind !== kind) throw new ValidationError({ [field]: `document ${documentId} is a ${doc.kind}, not an ${kind}` });
    const { live, made } = await spendsOn(trx, kind, doc.id);
    if (live) return { created: false, points: -live.points, value: live.amount, tranches: null, line: live, document: doc };
    const sourceKey = spendKey(kind, doc.id, made);
    if (doc.status !== 'draft') throw new ConflictError(`${kind} ${doc.number ?? doc.id} is ${doc.status}: points are spent on a draft`);
    const account = await lockAccount(trx, doc.customer_id);
    const spend = redemptionOf(settings, account.balance, doc.total, input.points);
    if (!spend) {
      const why =
        settings.mode === 'tranche'
          ? `less than one tranche can be spent: balance ${account.balance} points, total ${doc.total}; a tranche is ${settings.tranche_points} points worth ${settings.tranche_value}`
          : `nothing can be spent: balance ${account.balance} points, total ${doc.total}, a point is worth ${settings.point_value}`;
      throw new ValidationError({ points: why });
    }
    const { line } = await appendLine(
      trx,
      { customerId: doc.customer_id, kind: 'spent', points: -spend.points, amount: spend.value, documentKind: kind, documentId: doc.id, sourceKey, reason: `${kind === 'invoice' ? 'Invoice' : 'Order'} ${doc.number ?? doc.id}` },
      { guard: true },
    );
    const document = await ports.documents().addLine(trx, doc.id, {
      productCode: product.code,
      quantity: 1,
      unitPrice: -spend.value,
      taxExempt: true,
      description: spend.tranches ? `${spend.points} points (${spend.tranches} × ${settings.tranche_points})` : `${spend.points} points`,
    });
    return { created: true, points: spend.points, value: spend.value, tranches: spend.tranches ?? null, line, document };
  });
}
