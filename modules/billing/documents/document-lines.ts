import { ValidationError, type ScopedDb } from 'tessera/core';
import type { LineInput } from '../api';
import type { CatalogServiceImpl } from '../catalog/catalog-service';
import { rows } from '../ledger/account-store';
import { locking } from '../shared/caller';
import { documentTotals, lineAmounts, type LineAmounts } from './line-math';

export interface PreparedLine extends LineAmounts {
  product_code: string;
  description: string;
  quantity: number;
  unit_price: number;
  tax_rate: number;
}

const MAX_LINES = 500;

/** Prices lines from the catalogue (one query), snapshotting each tax rate; exempt documents carry none. */
export async function prepareLines(db: ScopedDb, catalog: CatalogServiceImpl, lines: LineInput[], taxExempt: boolean): Promise<PreparedLine[]> {
  if (!Array.isArray(lines)) throw new ValidationError({ lines: 'must be a list of lines' });
  if (lines.length > MAX_LINES) throw new ValidationError({ lines: `must hold at most ${MAX_LINES} lines` });
  const errors: Record<string, string> = {};
  lines.forEach((line, i) => {
    if (!line || typeof line.productCode !== 'string' || !line.productCode.trim()) errors[`lines.${i}.product_code`] = 'is required';
    if (!Number.isSafeInteger(line?.quantity) || line.quantity === 0) errors[`lines.${i}.quantity`] = 'must be a whole number other than 0';
    if (line?.unitPrice !== undefined && line.unitPrice !== null && !Number.isSafeInteger(line.unitPrice)) errors[`lines.${i}.unit_price`] = 'must be an amount in minor units';
  });
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const products = lines.length ? await catalog.pricing(db, lines.map((l) => l.productCode)) : new Map();
  return lines.map((line) => {
    const product = products.get(line.productCode.toUpperCase())!;
    const unit_price = line.unitPrice ?? product.unit_price;
    const tax_rate = taxExempt || line.taxExempt ? 0 : product.tax_rate;
    return {
      product_code: product.code,
      description: (line.description ?? product.name).slice(0, 500),
      quantity: line.quantity,
      unit_price,
      tax_rate,
      ...lineAmounts({ quantity: line.quantity, unit_price, tax_rate }),
    };
  });
}

/** Appends lines after `position` and returns the document's totals recomputed from every stored line. */
export async function storeLines(db: ScopedDb, documentId: number, lines: PreparedLine[], position = 0): Promise<LineAmounts> {
  const companyId = db.principal.companyId;
  if (lines.length) {
    await rows(db)('billing_document_lines').insert(lines.map((l, i) => ({ company_id: companyId, document_id: documentId, position: position + i + 1, ...l })));
  }
  // A locking read: in a caller's transaction that read before (MariaDB's repeatable read keeps its first
  // snapshot), a plain read would miss lines another writer committed since, and write a wrong total.
  const all = await locking(db, db.queryCompany(companyId, 'billing_document_lines').where({ document_id: documentId })).select('subtotal', 'tax', 'amount');
  return documentTotals(all.map((r: Record<string, unknown>) => ({ subtotal: Number(r.subtotal), tax: Number(r.tax), amount: Number(r.amount) })));
}
