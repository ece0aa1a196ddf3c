import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Kernel } from '../core/kernel/kernel';

export const ROOT = path.resolve(__dirname, '..');
export const REAL_MODULES = path.join(ROOT, 'modules');
export const FIXTURE_MODULES = path.join(ROOT, 'test', 'fixtures', 'modules');

/** The list page measured through the core, and how the plain handler gets the same rows. */
export interface PageTarget {
  id: 'crm' | 'alpha';
  label: string;
  /** What is requested (a GET page route of a module). */
  url: string;
  /** Extra module folders the kernel loads besides its modules folder. */
  modulesPath: string[];
  /** Makes sure the page has `rows` rows to show. */
  seed(kernel: Kernel, rows: number): Promise<void>;
  /**
   * The plain handler's data access, once per request: the same queries the module's handler runs for
   * the page (the list and what it shows beside it), straight on knex with no company scoping and no
   * principal, so the ratio measures the core's overhead rather than the module's own work.
   */
  query(knex: Knex, rows: number): Promise<Record<string, unknown>[]>;
  /** The view model captured from the core page, with the rows of the plain handler's query put in. */
  withRows(viewData: Record<string, unknown>, rows: Record<string, unknown>[]): Record<string, unknown>;
  /** How many rows a rendered page shows (a sanity check: both handlers must render 50 rows). */
  countRows(html: string): number;
}

/** The fixture module's page: `/alpha` lists every item of `alpha_items` by id (test/fixtures/modules/alpha). */
export const alphaTarget: PageTarget = {
  id: 'alpha',
  label: 'fixture module alpha, item list',
  url: '/alpha',
  modulesPath: [path.join(FIXTURE_MODULES, 'alpha')],
  async seed(kernel, rows) {
    const companyId = Number((await kernel.knex('core_companies').orderBy('id').first('id')).id);
    const existing = Number((await kernel.knex('alpha_items').count({ n: '*' }))[0].n);
    const system = kernel.contexts.system([companyId]);
    for (let i = existing; i < rows; i++) {
      await system.db.insert('alpha_items', { name: `Bench item ${String(i + 1).padStart(3, '0')}` }, { audit: false });
    }
  },
  query: (knex) => knex('alpha_items').orderBy('id'),
  withRows: (viewData, rows) => ({ ...viewData, items: rows }),
  countRows: (html) => (html.match(/<li>Bench item \d+<\/li>/g) ?? []).length,
};

/**
 * crm's customer list `/crm/customers` (first page: 50 customers by name, with shops, groups and tags
 * in the filters). The plain handler runs the five queries crm's handler runs (customers, their tags,
 * shops, groups, the groups' shops) and builds the rows the same way; only the menus, user and
 * filter choices come from the captured view model.
 */
export const crmTarget: PageTarget = {
  id: 'crm',
  label: 'crm customers list',
  url: '/crm/customers',
  modulesPath: [],
  async seed(kernel, rows) {
    const companyId = Number((await kernel.knex('core_companies').orderBy('id').first('id')).id);
    const system = kernel.contexts.system([companyId]);
    const customers = kernel.container.get<{ create(ctx: unknown, input: Record<string, unknown>): Promise<unknown> }>(Symbol.for('crm.CustomerService'));
    const shops = kernel.container.get<{ list(ctx: unknown): Promise<Array<{ id: number; company_id: number }>> }>(Symbol.for('base.ShopService'));
    const shopList = (await shops.list(system)).filter((s) => Number(s.company_id) === companyId);
    if (!shopList.length) throw new Error('the crm page bench needs a shop in the first company (base demo data)');
    // More than a page, so the page is full (50 rows) and shows its "next" link like a real list.
    const wanted = rows + 10;
    const existing = Number((await kernel.knex('crm_customers').where({ company_id: companyId }).count({ n: '*' }))[0].n);
    for (let i = existing; i < wanted; i++) {
      await customers.create(system, {
        first_name: `Bench${String(i + 1).padStart(3, '0')}`,
        last_name: 'Customer',
        email: `bench${i + 1}@example.test`,
        phone: `+33 6 12 34 ${String(i).padStart(4, '0')}`,
        birthdate: '1990-05-17',
        shop_id: shopList[i % shopList.length].id,
        tags: i % 3 ? [] : ['bench'],
      });
    }
  },
  async query(knex, rows) {
    const customers = await knex('crm_customers').orderBy('name_norm').orderBy('id').limit(rows + 1);
    const ids = customers.map((c: any) => c.id);
    const tags = await knex('crm_customer_tags').whereIn('customer_id', ids).orderBy('tag').select('customer_id', 'tag');
    const shops = await knex('base_shops').orderBy('name').orderBy('id');
    const groups = await knex('crm_groups').orderBy('name').orderBy('id').limit(500);
    await knex('crm_group_shops').whereIn('group_id', groups.map((g: any) => g.id)).orderBy('shop_id').select('group_id', 'shop_id');
    const shopNames = new Map(shops.map((shop: any) => [Number(shop.id), shop.name as string]));
    return customers.map((c: any) => ({
      ...c,
      shop_name: shopNames.get(Number(c.shop_id)) ?? '',
      tags: tags.filter((t: any) => Number(t.customer_id) === Number(c.id)).map((t: any) => t.tag),
    }));
  },
  withRows(viewData, rows) {
    // The page's view model is rows of display cells; the baseline keeps those cells (what the page
    // computes from the same data) and takes the rows, their order and their count from its own query.
    const shown = viewData.rows as Array<{ id: number }>;
    const captured = new Map(shown.map((row) => [Number(row.id), row]));
    const listed = rows.slice(0, shown.length).map((r) => captured.get(Number(r.id)) ?? { id: r.id, title: '', cells: [] });
    return { ...viewData, rows: listed };
  },
  countRows: (html) => (html.match(/<td class="mono"><a href="\/crm\/customers\/\d+">/g) ?? []).length,
};

export function crmEntryExists(): boolean {
  return ['index.ts', 'index.js'].some((f) => fs.existsSync(path.join(REAL_MODULES, 'crm', f)));
}
