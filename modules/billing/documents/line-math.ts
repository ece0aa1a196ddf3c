/**
 * Line arithmetic on integers only: a line's tax is its subtotal times the rate in basis points,
 * rounded half-up (half away from zero for negative lines) once per line; a document's totals are the
 * sums of its rounded lines. The browser's form script repeats this to show totals as you type; the
 * server recomputes and is the truth.
 */
import { applyRate } from 'tessera/core';

export interface PricedLine {
  quantity: number;
  unit_price: number;
  tax_rate: number;
}

export interface LineAmounts {
  subtotal: number;
  tax: number;
  amount: number;
}

/** Tax on a line: core's one rounding rule (half-up, once per line). */
export { applyRate };

export function lineAmounts(line: PricedLine): LineAmounts {
  const subtotal = line.quantity * line.unit_price;
  if (!Number.isSafeInteger(subtotal)) throw new RangeError('line amount out of range');
  const tax = applyRate(subtotal, line.tax_rate);
  return { subtotal, tax, amount: subtotal + tax };
}

export function documentTotals(lines: LineAmounts[]): LineAmounts {
  return lines.reduce((sum, l) => ({ subtotal: sum.subtotal + l.subtotal, tax: sum.tax + l.tax, amount: sum.amount + l.amount }), { subtotal: 0, tax: 0, amount: 0 });
}
