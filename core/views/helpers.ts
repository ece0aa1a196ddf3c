import type HandlebarsNamespace from 'handlebars';
import { toDate } from '../db/schema-helpers';
import { currencyFractionDigits, formatRate } from '../data/money';

type Hb = typeof HandlebarsNamespace;
type Options = HandlebarsNamespace.HelperOptions;

/**
 * Template helpers shared by the shell and every module. Output is escaped by Handlebars unless a
 * helper returns a SafeString; the few that build HTML escape each input they put into it.
 */
export function registerHelpers(hb: Hb): void {
  const escape = (value: unknown) => hb.Utils.escapeExpression(value === null || value === undefined ? '' : String(value));

  // Comparison helpers work both as sub-expressions (`{{#if (eq a b)}}`) and as blocks (`{{#eq a b}}`).
  const predicate = (test: (...args: unknown[]) => boolean) =>
    function (this: unknown, ...args: unknown[]) {
      const options = args.pop() as Options;
      const result = test(...args);
      if (options && typeof options.fn === 'function') return result ? options.fn(this) : options.inverse(this);
      return result;
    };

  hb.registerHelper('eq', predicate((a, b) => looseEqual(a, b)));
  hb.registerHelper('neq', predicate((a, b) => !looseEqual(a, b)));
  hb.registerHelper('and', predicate((...values) => values.every(truthy)));
  hb.registerHelper('or', predicate((...values) => values.some(truthy)));
  hb.registerHelper('not', predicate((value) => !truthy(value)));
  hb.registerHelper('gt', predicate((a, b) => Number(a) > Number(b)));
  hb.registerHelper('lt', predicate((a, b) => Number(a) < Number(b)));
  hb.registerHelper(
    'includes',
    predicate((list, value) => {
      if (Array.isArray(list)) return list.some((item) => looseEqual(item, value));
      if (list instanceof Set) return [...list].some((item) => looseEqual(item, value));
      return false;
    }),
  );

  // For data-* attributes: the JSON is entity-escaped here, so it stays inert even inside {{{ }}}.
  hb.registerHelper('json', (value: unknown) => new hb.SafeString(escape(JSON.stringify(value ?? null))));

  hb.registerHelper('formatDate', (value: unknown, options: Options) => formatDate(value, timeZoneOf(options)));
  hb.registerHelper('formatDateTime', (value: unknown, options: Options) => formatDateTime(value, timeZoneOf(options)));
  hb.registerHelper('formatMoney', (...args: unknown[]) => {
    const options = args.pop() as Options;
    const [amountMinor, currency] = args;
    // `{{formatMoney amount}}` without a currency means the current company's.
    const code = typeof currency === 'string' && currency ? currency : options?.data?.root?.company?.currency;
    return formatMoney(amountMinor, typeof code === 'string' ? code : 'EUR');
  });

  // A rate in basis points as people read it: 1800 → 18 %, 550 → 5.5 %.
  hb.registerHelper('formatRate', (basisPoints: unknown) => {
    const n = Number(basisPoints);
    return Number.isSafeInteger(n) ? `${formatRate(n).replace(/\.?0+$/, '')} %` : '';
  });

  hb.registerHelper('queryString', (options: Options) => {
    const base = (options.data?.root?.query ?? {}) as Record<string, unknown>;
    // URLSearchParams percent-encodes everything but the separators, so only `&` needs an entity.
    return new hb.SafeString(buildQueryString({ ...base, ...(options.hash ?? {}) }).replace(/&/g, '&amp;'));
  });

  hb.registerHelper('can', (permission: unknown, options: Options) => {
    const root = options.data?.root ?? {};
    return canFromRoot(root, String(permission));
  });

  // `{{#if (mayOpen "/crm/groups/new")}}`: would the page behind this link open for the signed-in user?
  hb.registerHelper('mayOpen', (...args: unknown[]) => {
    const options = args.pop() as Options;
    return mayOpenFromRoot(options.data?.root ?? {}, args.map(String).join(''));
  });

  // `{{#link "/crm/groups/" id class="btn"}}{{name}}{{/link}}`: an anchor when the user may open the page
  // (checked against the page's declared permission), the bare content otherwise. Parts are joined.
  hb.registerHelper('link', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as Options;
    const href = args.map((a) => (a === null || a === undefined ? '' : String(a))).join('');
    const inner = typeof options.fn === 'function' ? options.fn(this) : escape(href);
    if (!mayOpenFromRoot(options.data?.root ?? {}, href)) return new hb.SafeString(inner);
    const attrs = Object.entries(options.hash ?? {})
      .filter(([, v]) => v !== undefined && v !== null && v !== false)
      .map(([k, v]) => ` ${escape(k)}="${escape(v)}"`)
      .join('');
    return new hb.SafeString(`<a href="${escape(href)}"${attrs}>${inner}</a>`);
  });

  hb.registerHelper('csrf', (options: Options) => {
    const token = options.data?.root?.csrfToken ?? '';
    return new hb.SafeString(`<input type="hidden" name="_csrf" value="${escape(token)}">`);
  });
}

export function canFromRoot(root: Record<string, any>, permission: string): boolean {
  if (root.isSuperAdmin === true) return true;
  if (permission === 'authenticated') return Boolean(root.user);
  const held = root.permissions;
  if (Array.isArray(held)) return held.includes(permission);
  if (held instanceof Set) return held.has(permission);
  return false;
}

/** Without a checker (a bare page, an e-mail), links are shown: the route still checks on click. */
export function mayOpenFromRoot(root: Record<string, any>, href: string): boolean {
  return typeof root.mayOpen === 'function' ? Boolean(root.mayOpen(href)) : true;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** Form values arrive as strings and ids as numbers; `eq 3 "3"` should hold. */
function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'object' || typeof b === 'object') return false;
  return String(a) === String(b);
}

function timeZoneOf(options: Options | undefined): string {
  const zone = options?.data?.root?.company?.timezone;
  return typeof zone === 'string' && zone ? zone : 'UTC';
}

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD`. A calendar day stays as it is; an instant is shown as the day in the company's zone. */
export function formatDate(value: unknown, timeZone = 'UTC'): string {
  if (typeof value === 'string' && DAY_ONLY.test(value)) return value;
  const date = toDate(value);
  if (!date || Number.isNaN(date.getTime())) return '';
  const parts = partsIn(date, timeZone);
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** `YYYY-MM-DD HH:mm` in the company's zone. */
export function formatDateTime(value: unknown, timeZone = 'UTC'): string {
  if (typeof value === 'string' && DAY_ONLY.test(value)) return value;
  const date = toDate(value);
  if (!date || Number.isNaN(date.getTime())) return '';
  const parts = partsIn(date, timeZone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      // An unknown zone shows UTC rather than failing the page.
      format = timeZone === 'UTC' ? undefined : formatIn('UTC');
      if (!format) throw new Error('no UTC formatter');
    }
    zoneFormats.set(timeZone, format);
  }
  return format;
}

function partsIn(date: Date, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of formatIn(timeZone).formatToParts(date)) out[part.type] = part.value;
  return out;
}

// Made on first use: the first Intl object of a process loads ICU's locale data, which a start need not wait for.
let grouping: Intl.NumberFormat | undefined;

/**
 * Integer minor units to `1,234.56 EUR`. Done on BigInt digits, not by dividing, so large amounts
 * never pass through a float.
 */
export function formatMoney(amountMinor: unknown, currency: string): string {
  if (amountMinor === null || amountMinor === undefined || amountMinor === '') return '';
  let minor: bigint;
  try {
    minor = BigInt(typeof amountMinor === 'number' ? Math.trunc(amountMinor) : String(amountMinor).trim());
  } catch {
    return '';
  }
  const code = currency.toUpperCase();
  const digits = currencyFractionDigits(code);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const whole = (grouping ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(abs / scale);
  const fraction = digits > 0 ? '.' + (abs % scale).toString().padStart(digits, '0') : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${code}`;
}

/** `?a=1&b=2` from an object; empty values are left out, arrays repeat the key. */
export function buildQueryString(values: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      if (item === null || item === undefined || item === '' || item === false) continue;
      if (typeof item === 'object') continue;
      params.append(key, String(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
