import type { Knex } from 'knex';
import type { RequestContext } from '../security/request-context';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { isDuplicateKey } from '../db/db-lock';

/** How a person set a list up: the columns in their order (null: the list's own), the rows per page. */
export interface ListPrefs {
  columns: string[] | null;
  pageSize: number | null;
}

export interface SavedFilter {
  id: number;
  name: string;
  /** The list's query string without `?` (filters, search, sort): following it reapplies the filter. */
  query: string;
}

export const PAGE_SIZES = [20, 50, 100, 200] as const;

/**
 * Per-person list settings and saved filters, in core tables keyed by user and list. They belong to
 * the signed-in person, not to a company, so they are read and written unscoped by user id; a caller
 * without a user (an API token of a service) has none and cannot save any.
 */
export class ListPrefsStore {
  async prefs(ctx: RequestContext, listKey: string): Promise<ListPrefs> {
    const userId = ctx.principal.userId;
    if (userId === null) return { columns: null, pageSize: null };
    const row = await knex(ctx)('core_list_prefs').where({ user_id: userId, list_key: listKey }).first('columns', 'page_size');
    const columns = row?.columns ? (JSON.parse(String(row.columns)) as unknown) : null;
    return {
      columns: Array.isArray(columns) ? columns.map(String) : null,
      pageSize: row?.page_size ? Number(row.page_size) : null,
    };
  }

  /** Saves the columns (known keys only, in the order given) and the page size (one of PAGE_SIZES). */
  async savePrefs(ctx: RequestContext, listKey: string, prefs: ListPrefs, known: readonly string[]): Promise<void> {
    const userId = requireUser(ctx);
    const columns = prefs.columns ? [...new Set(prefs.columns.filter((key) => known.includes(key)))] : null;
    if (columns && !columns.length) throw new ValidationError({ columns: 'choose at least one column' });
    if (prefs.pageSize !== null && !(PAGE_SIZES as readonly number[]).includes(prefs.pageSize)) throw new ValidationError({ page_size: `must be one of ${PAGE_SIZES.join(', ')}` });
    const values = { columns: columns ? JSON.stringify(columns) : null, page_size: prefs.pageSize, updated_at: new Date() };
    const db = knex(ctx);
    await db.transaction(async (trx) => {
      const updated = await trx('core_list_prefs').where({ user_id: userId, list_key: listKey }).update(values);
      if (!updated) await trx('core_list_prefs').insert({ user_id: userId, list_key: listKey, ...values });
    });
  }

  async filters(ctx: RequestContext, listKey: string): Promise<SavedFilter[]> {
    const userId = ctx.principal.userId;
    if (userId === null) return [];
    const rows = await knex(ctx)('core_saved_filters').where({ user_id: userId, list_key: listKey }).orderBy('name').select('id', 'name', 'query');
    return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), name: String(r.name), query: String(r.query) }));
  }

  /** A filter under a name of the person's own; the same name again replaces it. */
  async saveFilter(ctx: RequestContext, listKey: string, name: string, query: string): Promise<SavedFilter> {
    const userId = requireUser(ctx);
    const clean = name.trim();
    if (!clean) throw new ValidationError({ name: 'is required' });
    if (clean.length > 100) throw new ValidationError({ name: 'must be at most 100 characters' });
    if (query.length > 4000) throw new ValidationError({ query: 'is too long' });
    const db = knex(ctx);
    try {
      await db.transaction(async (trx) => {
        const updated = await trx('core_saved_filters').where({ user_id: userId, list_key: listKey, name: clean }).update({ query });
        if (!updated) await trx('core_saved_filters').insert({ user_id: userId, list_key: listKey, name: clean, query, created_at: new Date() });
      });
    } catch (error) {
      // Two saves of one name at once: the unique key kept one, which is what either asked for.
      if (!isDuplicateKey(error)) throw error;
      throw new ConflictError('This filter was just saved; try again', { name: 'was just saved by another request' });
    }
    const row = await db('core_saved_filters').where({ user_id: userId, list_key: listKey, name: clean }).first('id');
    return { id: Number(row.id), name: clean, query };
  }

  /** Deletes one of the person's own filters; another person's is "not found". */
  async deleteFilter(ctx: RequestContext, listKey: string, id: number): Promise<void> {
    const userId = requireUser(ctx);
    const removed = await knex(ctx)('core_saved_filters').where({ id, user_id: userId, list_key: listKey }).delete();
    if (!removed) throw new NotFoundError('Saved filter');
  }
}

function knex(ctx: RequestContext): Knex | Knex.Transaction {
  return ctx.db.unscoped("list settings belong to the signed-in person, keyed by their user id");
}

function requireUser(ctx: RequestContext): number {
  const userId = ctx.principal.userId;
  if (userId === null) throw new ValidationError({ user: 'list settings belong to a signed-in person' });
  return userId;
}

export const listPrefsStore = new ListPrefsStore();
