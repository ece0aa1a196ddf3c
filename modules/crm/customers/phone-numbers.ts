import type { CountryCode } from 'libphonenumber-js';

// libphonenumber-js and its metadata take tens of milliseconds to load: the first number read pays for
// them, not every start of the server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = (): typeof import('libphonenumber-js') => require('libphonenumber-js');

/**
 * Phone numbers as libphonenumber reads them: stored in E.164 (`+33612345601`), read in the company's
 * country when written the national way (`06 12 34 56 01`). Search works on the E.164 digits, so a
 * caller's national form, the same without its trunk 0, and the international form all find the number.
 */
export type PhoneCountry = CountryCode;

export const FALLBACK_COUNTRY: PhoneCountry = 'FR';

/** A usable country from a setting or configuration value, else undefined. */
export function phoneCountry(value: unknown): PhoneCountry | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toUpperCase();
  return lib().isSupportedCountry(code) ? (code as PhoneCountry) : undefined;
}

// Made on first use: the first Intl object of a process loads ICU's locale data, which a start need not wait for.
let regionNames: Intl.DisplayNames | undefined;

function countryName(country: PhoneCountry): string {
  try {
    return (regionNames ??= new Intl.DisplayNames('en', { type: 'region' })).of(country) ?? country;
  } catch {
    return country;
  }
}

/** The number in E.164, or why no number of that country (or any, for `+...`) can be written so. */
export function toE164(text: string, country: PhoneCountry): { e164: string } | { problem: string } {
  const where = text.trim().startsWith('+') ? 'a phone number' : `a phone number of ${countryName(country)} (or start with + and the country code)`;
  switch (lib().validatePhoneNumberLength(text, country)) {
    case undefined:
      break;
    case 'TOO_SHORT':
      return { problem: `is too short for ${where}` };
    case 'TOO_LONG':
      return { problem: `is too long for ${where}` };
    case 'INVALID_COUNTRY':
      return { problem: 'has an unknown country code after the +' };
    case 'INVALID_LENGTH':
      return { problem: `has a length no phone number has, for ${where}` };
    default:
      return { problem: 'is not a phone number' };
  }
  const parsed = lib().parsePhoneNumberFromString(text, country);
  if (!parsed) return { problem: 'is not a phone number' };
  return { e164: parsed.number };
}

/** A stored number shown the way people of the company's country write it: national at home, international abroad. */
export function displayPhone(stored: string | null | undefined, country: PhoneCountry | undefined): string {
  if (!stored) return '';
  const parsed = stored.startsWith('+') ? lib().parsePhoneNumberFromString(stored) : undefined;
  if (!parsed) return stored;
  return country && parsed.country === country ? parsed.formatNational() : parsed.formatInternational();
}

/**
 * Digit prefixes of `phone_norm` (E.164 without +) a typed phone can match: read as the company's
 * country would ("0612", "612", "0033 612", "+33 6 12" all give 33612), and the digits as typed, for a
 * number typed in international form without its + and for rows stored before numbers were E.164.
 */
export function phonePrefixes(text: string, country: PhoneCountry | undefined): string[] {
  const typed = text.replace(/\D+/g, '');
  if (!country) return typed ? [typed] : [];
  const reader = new (lib().AsYouType)(country);
  reader.input(text);
  const read = (reader.getNumber()?.number ?? '').replace(/\D+/g, '');
  return [...new Set([read, typed].filter((p) => p.length > 0))];
}
