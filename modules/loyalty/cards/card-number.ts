import crypto from 'node:crypto';

/**
 * Card numbers are typed at the counter when a camera is not at hand: a company sequence with a Luhn
 * check digit catches a mistyped or swapped digit before any card is touched. The secret behind the
 * web card's link is random and long, so links cannot be guessed from numbers.
 */
export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The card number of the company's `seq`th card: eight digits and a check digit. */
export function cardNumber(seq: number): string {
  const body = String(seq).padStart(8, '0');
  return body + luhnDigit(body);
}

/** Whether a typed number carries a valid check digit (spaces and dashes ignored). */
export function plausibleCardNumber(typed: string): string | null {
  const digits = typed.replace(/[\s-]/g, '');
  if (!/^\d{9,15}$/.test(digits)) return null;
  return luhnDigit(digits.slice(0, -1)) === Number(digits.slice(-1)) ? digits : null;
}

export function cardSecret(): string {
  return crypto.randomBytes(24).toString('base64url');
}
