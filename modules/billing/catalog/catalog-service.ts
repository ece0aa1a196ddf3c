import { ConfigurationError, NotFoundError } from 'tessera/core';
import type { Caller, CatalogService, Journal, JournalKind, Product, Tax } from '../api';
import { dbOf } from '../shared/caller';

/**
 * How long a journal read stays in this process. Every payment names its journal, and journals change
 * a few times a year: the read is kept for a few seconds, dropped at once when this process edits the
 * journal, so an edit made in another process is seen within this bound.
 */
const JOURNAL_TTL_MS = 10_000;

/** Lookups other modules make by code; a missing code is a configuration error naming it, never a silent 0. */
export class CatalogServiceImpl implements CatalogService {
  /** Per instance (one per kernel), not per module: two kernels of one process have their own databases. */
  private readonly journals = new Map<number, { journal: Journal; until: number }>();

  async productByCode(caller: Caller, code: string): Promise<Product> {
    const db = dbOf(caller);
    const row = await db.queryCompany(db.principal.companyId, 'billing_products').where({ code: String(code).toUpperCase(), is_active: true }).first();
    if (!row) throw new ConfigurationError(`No active product with code ${code} in billing's catalogue`, { product_code: `no active product ${code}` });
    return toProduct(row);
  }

  async journalByCode(caller: Caller, code: string): Promise<Journal> {
    const db = dbOf(caller);
    const row = await db.queryCompany(db.principal.companyId, 'billing_journals').where({ code: String(code).toUpperCase() }).first();
    if (!row) throw new ConfigurationError(`No journal with code ${code} in billing`, { journal_code: `no journal ${code}` });
    return toJournal(row);
  }

  async journal(caller: Caller, id: number): Promise<Journal> {
    const db = dbOf(caller);
    const known = this.journals.get(Number(id));
    // The cache holds rows of every company: the caller's scope is checked on each use, as the query did.
    if (known && known.until > Date.now() && db.principal.companyIds.includes(known.journal.company_id)) return known.journal;
    const row = await db.findById('billing_journals', id);
    if (!row) throw new NotFoundError('Journal');
    const journal = toJournal(row);
    this.journals.set(journal.id, { journal, until: Date.now() + JOURNAL_TTL_MS });
    return journal;
  }

  /** A journal was created, edited or removed in this process: the next read goes to the database. */
  forgetJournal(id: number): void {
    this.journals.delete(Number(id));
  }

  async tax(caller: Caller, id: number): Promise<Tax> {
    const row = await dbOf(caller).findById<Record<string, unknown>>('billing_taxes', id);
    if (!row) throw new NotFoundError('Tax');
    return { id: Number(row.id), company_id: Number(row.company_id), name: String(row.name), rate: Number(row.rate) };
  }

  /** The company's first active journal of a kind (the sales journal an invoice goes to by default). */
  async firstOfKind(caller: Caller, kind: JournalKind): Promise<Journal> {
    const db = dbOf(caller);
    const row = await db.queryCompany(db.principal.companyId, 'billing_journals').where({ kind, is_active: true }).orderBy('id').first();
    if (!row) throw new ConfigurationError(`No active ${kind} journal in billing`, { journal_id: `no active ${kind} journal` });
    return toJournal(row);
  }

  /** Products by code with their tax rate, for pricing lines (one query for a whole document). */
  async pricing(caller: Caller, codes: string[]): Promise<Map<string, Product & { tax_rate: number }>> {
    const db = dbOf(caller);
    const wanted = [...new Set(codes.map((c) => String(c).toUpperCase()))];
    const rows = await db
      .queryCompany(db.principal.companyId, 'billing_products', 'p')
      .leftJoin('billing_taxes as t', 't.id', 'p.tax_id')
      .whereIn('p.code', wanted)
      .where('p.is_active', true)
      .select('p.*', 't.rate as tax_rate');
    const found = new Map<string, Product & { tax_rate: number }>(rows.map((r: Record<string, unknown>) => [String(r.code), { ...toProduct(r), tax_rate: Number(r.tax_rate ?? 0) }]));
    const missing = wanted.filter((c) => !found.has(c));
    if (missing.length) throw new ConfigurationError(`No active product with code ${missing.join(', ')} in billing's catalogue`, { product_code: `no active product ${missing.join(', ')}` });
    return found;
  }
}

export function toJournal(row: Record<string, unknown>): Journal {
  return {
    id: Number(row.id),
    company_id: Number(row.company_id),
    code: String(row.code),
    name: String(row.name),
    kind: row.kind as JournalKind,
    number_format: String(row.number_format),
    active: Boolean(row.is_active),
  };
}

function toProduct(row: Record<string, unknown>): Product {
  return {
    id: Number(row.id),
    company_id: Number(row.company_id),
    code: String(row.code),
    name: String(row.name),
    unit_price: Number(row.unit_price),
    tax_id: row.tax_id == null ? null : Number(row.tax_id),
    active: Boolean(row.is_active),
  };
}
