/** Choices for the company form, from the runtime's own ICU data so they match what it can format. */

export interface Option {
  value: string;
  label: string;
  selected: boolean;
}

const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'JPY', 'CNY', 'HKD', 'SGD', 'AUD', 'CAD', 'NZD', 'ZAR', 'AED', 'INR', 'BRL', 'MXN', 'TRY', 'KRW', 'TWD', 'THB', 'MYR', 'IDR', 'PHP', 'VND'];

export function currencyOptions(selected: string): Option[] {
  const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : COMMON_CURRENCIES;
  const names = new Intl.DisplayNames(['en'], { type: 'currency' });
  const codes = [...new Set([...COMMON_CURRENCIES, ...supported, ...(selected ? [selected] : [])])];
  return codes.map((code) => ({ value: code, label: `${code} — ${safeName(names, code)}`, selected: code === selected }));
}

export function timeZoneOptions(selected: string): Option[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  const all = [...new Set(['UTC', ...zones, ...(selected ? [selected] : [])])];
  return all.map((zone) => ({ value: zone, label: zone.replace(/_/g, ' '), selected: zone === selected }));
}

function safeName(names: Intl.DisplayNames, code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
