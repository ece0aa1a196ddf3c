import { phonePrefixes, type PhoneCountry } from './phone-numbers';

/**
 * Search columns. Prefix search must stay an index range scan at a million customers, so the values
 * searched are stored already normalized (no function on the column at query time) and the query
 * text is normalized the same way here.
 */

/** Lowercase, accents removed, inner whitespace collapsed: "  Zoë   O'Neil" -> "zoe o'neil". */
export function normalizeText(value: string | null | undefined): string {
  if (!value) return '';
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Digits only: "+33 (0)6 12-34" -> "3306 1234" -> "330061234". */
export function normalizePhone(value: string | null | undefined): string {
  if (!value) return '';
  return value.replace(/\D+/g, '');
}

export function normalizeEmail(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

export interface SearchColumns {
  name_norm: string;
  name_rev_norm: string;
  code_norm: string;
  phone_norm: string | null;
  email_norm: string | null;
}

/**
 * "first last" and "last first" both stored, so a prefix of either name, or of the full name in
 * either order, is one index range.
 */
export function searchColumns(c: { first_name?: string | null; last_name?: string | null; code: string; phone?: string | null; email?: string | null }): SearchColumns {
  const first = normalizeText(c.first_name);
  const last = normalizeText(c.last_name);
  const phone = normalizePhone(c.phone);
  const email = normalizeEmail(c.email);
  return {
    name_norm: [first, last].filter(Boolean).join(' ').slice(0, 191),
    name_rev_norm: [last, first].filter(Boolean).join(' ').slice(0, 191),
    code_norm: normalizeText(c.code).slice(0, 64),
    phone_norm: phone ? phone.slice(0, 40) : null,
    email_norm: email ? email.slice(0, 191) : null,
  };
}

export const MIN_PHONE_DIGITS = 4;
/** Shorter text is looked up in names and codes only; see prefixPlan. */
export const MIN_EMAIL_CHARS = 3;

export interface PrefixPlan {
  column: 'name_norm' | 'name_rev_norm' | 'code_norm' | 'phone_norm' | 'email_norm';
  prefix: string;
}

/**
 * Which columns a query text can match, each with its normalized prefix. Looking only where the text
 * could match keeps the union small: "0612" is not worth a scan of names, "dup" not one of phones.
 */
export function prefixPlan(q: string | null | undefined, country?: PhoneCountry): PrefixPlan[] {
  const text = normalizeText(q);
  if (!text) return [];
  const plans: PrefixPlan[] = [{ column: 'code_norm', prefix: text }];
  const digits = normalizePhone(text);
  const hasLetters = /\p{L}/u.test(text);
  // A phone is typed with separators ("06 12", "+33-6"). Fewer than 4 digits ("06") would match a
  // large share of every customer base, so it finds nothing useful and costs a scan.
  // Read in the company's country, "06 12" and "+33 6 12" are the same number (see phonePrefixes).
  if (digits.length >= MIN_PHONE_DIGITS && !hasLetters) for (const prefix of phonePrefixes(text, country)) plans.push({ column: 'phone_norm', prefix });
  if (hasLetters) {
    plans.push({ column: 'name_norm', prefix: text });
    plans.push({ column: 'name_rev_norm', prefix: text });
  }
  // One or two letters are a name being typed: as an e-mail prefix they match a large share of the
  // base, which must then be sorted by name to cut a page, for hits the name ranges mostly have.
  const email = text.replace(/\s+/g, '');
  if (email.includes('@') || (hasLetters && email.length >= MIN_EMAIL_CHARS)) plans.push({ column: 'email_norm', prefix: email });
  return plans;
}
