import { defineImport, mountImport, ValidationError, type ImportColumn, type ModuleContext, type RowError } from 'tessera/core';
import { BASE, type UserShopService } from '../../../base/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';

const STATUSES = ['active', 'used', 'blocked', 'expired'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** What an import may change on a card: its state moves only by the scanner's transactions. */
const EDITABLE = ['status', 'valid_until', 'membership_ends', 'shop_id'] as const;
/** The cards list's export columns an import reads past (the card's state, its template and holder). */
const READ_ONLY = ['template_id', 'customer_id', 'type', 'stamps', 'uses_left', 'balance', 'points', 'spend_total', 'visits', 'last_visit_day', 'last_stamp_day', 'installed_at'];

type CardValues = { status?: string; valid_until?: string | null; membership_ends?: string | null; shop_id?: number | null };

/**
 * Cards in CSV through the core import frame, matched by number: the file the cards list exports
 * (/loyalty/cards/export.csv) goes back in unchanged, and a row changes a card's status, validity,
 * membership end or shop. A column missing from the file leaves its value alone; new cards are issued
 * from the list (their number, secret and opening state come from the template), not imported.
 */
export const cardImport = defineImport<CardValues>({
  kind: 'loyalty.cards',
  noun: 'card',
  permission: P.cardIssue,
  keys: [{ value: 'number', label: 'Card number' }],
  columns(): ImportColumn[] {
    return [{ key: 'number', label: 'Number', required: true }, ...EDITABLE.map((key) => ({ key })), ...READ_ONLY.map((key) => ({ key }))];
  },
  normalizeKey: (_key, text) => text.trim().replace(/\s+/g, ''),
  parse(cells, line) {
    const errors: RowError[] = [];
    const value: CardValues = {};
    if (cells.status !== undefined) {
      const status = cells.status.trim();
      if (!STATUSES.includes(status)) errors.push({ line, field: 'status', reason: `is one of ${STATUSES.join(', ')}` });
      else value.status = status;
    }
    for (const key of ['valid_until', 'membership_ends'] as const) {
      if (cells[key] === undefined) continue;
      const text = cells[key]!.trim();
      if (text && !(DAY.test(text) && !Number.isNaN(Date.parse(text)))) errors.push({ line, field: key, reason: 'is a day, YYYY-MM-DD, or empty' });
      else value[key] = text || null;
    }
    if (cells.shop_id !== undefined) {
      const text = cells.shop_id.trim();
      if (text && !/^[1-9]\d{0,9}$/.test(text)) errors.push({ line, field: 'shop_id', reason: 'is a shop id or empty' });
      else value.shop_id = text ? Number(text) : null;
    }
    return { value, errors };
  },
  target: {
    table: 'loyalty_cards',
    keyColumns: { number: 'number' },
    async write(db, row, existing) {
      if (!existing) throw new ValidationError({ number: 'matches no card of the company; issue new cards from the cards list' });
      // Deny by default: without `loyalty.card.all_shops` an importer changes only their shops' cards (none
      // when base gives them none), and moves them only among their shops.
      const everyShop = db.principal.isSuperAdmin || db.principal.permissions.has(P.cardAllShops);
      if (!everyShop) {
        const userId = db.principal.userId ?? null;
        const shops = userShopsOf && userId != null ? await userShopsOf().shopsOf(db, userId, Number(existing.company_id)) : [];
        if (!shops.includes(Number(existing.shop_id))) throw new ValidationError({ number: 'matches no card of the company; issue new cards from the cards list' });
        if (row.value.shop_id !== undefined && !shops.includes(Number(row.value.shop_id))) throw new ValidationError({ shop_id: 'is not one of your shops' });
      }
      const changes: Record<string, unknown> = {};
      for (const key of EDITABLE) {
        const next = row.value[key];
        if (next === undefined) continue;
        const now = existing[key] == null ? null : key === 'shop_id' ? Number(existing[key]) : String(existing[key]);
        if (next !== now) changes[key] = next;
      }
      if (!Object.keys(changes).length) return 'unchanged';
      await db.update('loyalty_cards', Number(existing.id), changes);
      return 'updated';
    },
  },
});

/** Base's user shops, for the import's writes (a job: no request context to ask through). */
let userShopsOf: (() => UserShopService) | null = null;

export function mountCardImport(m: ModuleContext): void {
  userShopsOf = () => m.container.get<UserShopService>(BASE.UserShops);
  mountImport(m, cardImport, {
    job: 'card_import',
    api: { upload: '/cards/import', imports: '/card-imports' },
    pages: {
      upload: '/loyalty/cards/import',
      imports: '/loyalty/card-imports',
      back: { href: '/loyalty/cards', label: 'Cards' },
      title: 'Import cards',
      help: [
        'Send back the file the cards list exports: rows are matched by card number; status, valid_until, membership_ends and shop_id are changed, the other columns are read past.',
        'A number that matches no card is refused: issue new cards from the cards list.',
      ],
    },
  });
}
