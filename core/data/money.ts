/**
 * Amounts as people type and read them (`12.50`), to and from integer minor units, on digits alone:
 * no float ever holds an amount. The currency decides how many decimals there are.
 */
const AMOUNT = /^(-)?(\d{1,15})(?:[.,](\d+))?$/;

/** `12.5` in EUR is 1250; null when the text is not an amount with at most the currency's decimals. */
export function parseAmount(text: string, currency: string): number | null {
  return parseFixed(text, currencyFractionDigits(currency));
}

function parseFixed(text: string, digits: number): number | null {
  const m = AMOUNT.exec(text.trim().replace(/[\s\u00a0_']/g, ''));
  if (!m || (m[3] ?? '').length > digits) return null;
  const minor = Number(m[2] + (m[3] ?? '').padEnd(digits, '0'));
  return Number.isSafeInteger(minor) ? (m[1] ? -minor : minor) : null;
}

/** 1250 in EUR is `12.50`: what an input or a CSV cell shows (no grouping, no currency). */
export function formatAmount(minor: number, currency: string): string {
  return fixedPoint(minor, currencyFractionDigits(currency));
}

/** Basis points as a percentage: `12.5` is 1250. */
export function parseRate(text: string): number | null {
  return parseFixed(text, 2);
}

/** 1250 basis points is `12.50`. */
export function formatRate(basisPoints: number): string {
  return fixedPoint(basisPoints, 2);
}

function fixedPoint(value: number, digits: number): string {
  const negative = value < 0;
  const text = String(Math.abs(Math.trunc(value))).padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  return `${negative ? '-' : ''}${whole}${digits ? '.' + text.slice(-digits) : ''}`;
}

const fractionDigitsCache = new Map<string, number>();

/** How many decimals the currency has (2 for EUR, 0 for XOF, 3 for KWD), from Intl; 2 when unknown. */
export function currencyFractionDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = fractionDigitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(code, digits);
  }
  return digits;
}


/**
 * Tessera's one rounding rule for a rate on money: `value × basisPoints / 10000`, rounded half-up
 * (half away from zero for negative values), once, computed exactly in BigInt so no float comes near
 * the amount. 1250 basis points of 1,001 minor units is 125.125 → 125; of 1,004 it is 125.5 → 126.
 */
export function applyRate(value: number, basisPoints: number): number {
  if (!Number.isSafeInteger(value) || !Number.isSafeInteger(basisPoints)) throw new RangeError('applyRate takes integers (minor units, basis points)');
  const product = BigInt(value) * BigInt(basisPoints);
  const negative = product < 0n;
  const magnitude = negative ? -product : product;
  const rounded = (magnitude * 2n + 10000n) / 20000n;
  return Number(negative ? -rounded : rounded);
}
