import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { registerHelpers } from '../../core/views/helpers';

/**
 * Renders the shell and base templates without the app, the way the core's view engine is specified
 * to: shell partials as `shell/<file>`, page data merged with the layout data at the root. Used to
 * catch template errors and CSP-breaking markup before the core's loader exists.
 */
const ROOT = path.resolve(__dirname, '../..');

export function templateEngine(slotHtml = '') {
  const hb = Handlebars.create();
  registerHelpers(hb);
  hb.registerHelper('slot', () => new hb.SafeString(slotHtml));
  const partialsDir = path.join(ROOT, 'views/partials');
  for (const file of fs.readdirSync(partialsDir)) {
    if (file.endsWith('.hbs')) hb.registerPartial(`shell/${file.slice(0, -4)}`, fs.readFileSync(path.join(partialsDir, file), 'utf8'));
  }
  const compile = (file: string) => hb.compile(fs.readFileSync(path.join(ROOT, file), 'utf8'), { strict: false });
  const layout = compile('views/layout.hbs');
  return {
    hb,
    /** A page of `file` inside the layout. */
    page(file: string, data: Record<string, unknown>): string {
      const root = { ...layoutData(), ...data };
      const body = compile(file)(root);
      return layout({ ...root, body });
    },
    standalone(file: string, data: Record<string, unknown>): string {
      return compile(file)({ ...layoutData(), ...data });
    },
  };
}

export function layoutData(): Record<string, unknown> {
  return {
    title: 'Page',
    user: { id: 1, name: 'Ada Admin', email: 'ada@example.com' },
    menus: [
      { id: 'base.dashboard', label: 'Dashboard', path: '/', active: false, children: [] },
      {
        id: 'crm',
        label: 'CRM',
        path: '/crm/customers',
        active: false,
        children: [{ id: 'crm.customers', label: 'Customers', path: '/crm/customers', active: false, children: [] }],
      },
      {
        id: 'base.settings',
        label: 'Settings',
        path: '/admin',
        active: true,
        children: [
          { id: 'base.companies', label: 'Companies', path: '/admin/companies', active: false, children: [] },
          { id: 'base.shops', label: 'Shops', path: '/admin/shops', active: true, children: [] },
          { id: 'base.users', label: 'Users', path: '/admin/users', active: false, children: [] },
          { id: 'base.roles', label: 'Roles', path: '/admin/roles', active: false, children: [] },
          { id: 'base.tokens', label: 'API tokens', path: '/account/tokens', active: false, children: [] },
          { id: 'base.jobs', label: 'Jobs', path: '/admin/jobs', active: false, children: [] },
        ],
      },
    ],
    flash: [{ type: 'success', message: 'Saved <b>ok</b>.' }],
    csrfToken: 'csrf-token-value',
    company: { id: 1, code: 'DEMO', name: 'Demo Retail Ltd', currency: 'EUR', timezone: 'Europe/London' },
    companies: [
      { id: 1, code: 'DEMO', name: 'Demo Retail Ltd', currency: 'EUR', timezone: 'Europe/London' },
      { id: 2, code: 'NORTH', name: 'Northwind Trading', currency: 'GBP', timezone: 'Europe/London' },
    ],
    path: '/admin/shops',
    permissions: ['base.shop.read', 'base.shop.manage', 'core.company.read', 'core.company.manage', 'core.user.read', 'core.user.manage', 'core.role.read', 'core.role.manage', 'core.jobs.manage', 'core.audit.read'],
    isSuperAdmin: false,
    query: {},
  };
}

const now = new Date('2025-01-15T10:30:00Z');

const shopRows = [
  { id: 1, company_id: 1, code: 'MAIN', name: 'Main Street', address: '12 Main Street', phone: '+44 20 7946 0001', is_active: true },
  { id: 2, company_id: 2, code: 'HARBOUR', name: 'Harbour <script>', address: null, phone: null, is_active: false },
];

/** What core/resources/list-view.ts builds for the shops list of a user seeing two companies. */
export const shopList = {
  entity: 'base.shop',
  title: 'Shops',
  description: 'Points of sale of your companies.',
  path: '/admin/shops',
  newHref: '/admin/shops/new',
  newLabel: 'New shop',
  exportPath: null,
  searchable: true,
  q: '',
  searchPlaceholder: 'Code or name starts with…',
  filters: [{ range: false, label: 'Active', name: 'active', value: '', options: [{ value: 'true', label: 'active', selected: false }, { value: 'false', label: 'inactive', selected: false }] }],
  sort: 'name',
  columns: [
    { key: 'code', label: 'Code', nextSort: 'code', sorted: null },
    { key: 'name', label: 'Name', nextSort: '-name', sorted: 'ascending' },
    { key: 'company_id', label: 'Company', nextSort: null, sorted: null },
    { key: 'is_active', label: 'Active', nextSort: null, sorted: null },
  ],
  rows: shopRows.map((s) => ({
    id: s.id,
    href: `/admin/shops/${s.id}`,
    cells: [
      { text: s.code, class: 'mono', href: `/admin/shops/${s.id}`, badge: null },
      { text: s.name, class: '', href: `/admin/shops/${s.id}`, badge: null },
      { text: s.company_id === 1 ? 'Demo Retail Ltd' : 'Northwind Trading', class: '', href: null, badge: null },
      { text: s.is_active ? 'active' : 'inactive', class: '', href: null, badge: s.is_active ? 'active' : 'inactive' },
    ],
  })),
  next_cursor: 'abc',
  controls: {
    key: 'base.shop',
    count: { n: '2', exact: true, text: '2 shops' },
    headers: [],
    pager: { page: 1, first: null, prev: null, next: { after: 'abc', trail: '0' } },
    settings: { action: '/admin/shops/list/prefs', back: '/admin/shops', columns: [{ key: 'code', label: 'Code', shown: true }], pageSizes: [{ value: 50, selected: true }] },
    saved: { action: '/admin/shops/list/filters', current: 'sort=name', canSave: true, items: [] },
    bulk: { action: '/admin/shops/bulk', actions: [{ name: 'delete', label: 'Delete' }], hidden: [] },
  },
  filtered: false,
  errors: [],
  emptyMessage: 'No shops yet.',
  firstLabel: 'Create the first shop',
};

/** What core/resources/record-view.ts builds for a shop's page; parts replaced by `changes`. */
export function shopRecord(changes: Record<string, unknown> & { errors?: Record<string, string>; companies?: unknown }): Record<string, unknown> {
  const row = 'row' in changes ? changes.row : shopRows[0];
  const errors = changes.errors ?? {};
  return {
    entity: 'base.shop',
    row,
    title: 'Main Street',
    listHref: '/admin/shops',
    many: 'Shops',
    form: {
      action: row ? '/admin/shops/1' : '/admin/shops',
      companies: changes.companies ?? null,
      companyError: errors.company_id,
      submitLabel: row ? 'Save' : 'Create shop',
      fields: [
        { name: 'code', label: 'Code', type: 'text', value: 'MAIN', error: errors.code, required: true, hint: 'Letters, digits, - or _; unique in the company.', placeholder: 'MAIN', autocomplete: '', readonly: false, options: null },
        { name: 'is_active', label: 'Active', type: 'checkbox', value: true, error: errors.is_active, required: false, hint: '', placeholder: '', autocomplete: '', readonly: false, options: null },
      ],
    },
    details: [
      { label: 'Code', text: 'MAIN', class: 'mono', href: null },
      { label: 'Active', text: 'active', class: '', href: null },
    ],
    deleteHref: null,
    deleteQuestion: null,
    formError: null,
    panelsSlot: 'base.shop.panels',
    actionsSlot: 'base.shop.actions',
    history: null,
    ...changes,
  };
}

export const history = [
  { id: 3, action: 'update', actor_id: 1, actor_name: 'Ada Admin', created_at: now, changes: [{ field: 'name', from: 'Main St', to: 'Main Street' }, { field: 'phone', from: null, to: '+44 20 7946 0001' }] },
  { id: 2, action: 'create', actor_id: null, actor_name: null, created_at: now, changes: [{ field: 'code', from: null, to: 'MAIN' }] },
];

export const permissionGroups = [
  {
    module: 'core',
    label: 'Core: companies, users, roles, jobs, audit',
    checkedCount: 1,
    permissions: [
      { name: 'core.user.read', description: 'See the users of one\'s companies', implies: [], grantable: true, checked: true },
      { name: 'core.user.manage', description: 'Create and edit users', implies: ['core.user.read', 'core.role.read'], grantable: true, checked: false },
    ],
  },
  {
    module: 'crm',
    label: 'CRM',
    checkedCount: 0,
    permissions: [{ name: 'crm.customer.read', description: 'See customers', implies: [], grantable: false, checked: false }],
  },
];

export const jobCounts = [
  { queue: 'crm', waiting: 3, active: 1, completed: 120, failed: 2, delayed: 0 },
  { queue: 'base', waiting: 0, active: 0, completed: 14, failed: 0, delayed: 1 },
];

export const jobs = {
  active: [{ id: '17', queue: 'crm', name: 'crm.import', status: 'active', progress: 40, detail: { rows: 400 }, data: {}, result: null, error: null, attempts: 1, company_id: 1, user_id: 2, company: 'Demo Company', created_at: now, finished_at: null, status_url: '/admin/jobs/17/status', retry_url: '/admin/jobs/17/retry' }],
  failed: [{ id: '12', queue: 'crm', name: 'crm.export', status: 'failed', progress: 10, detail: null, data: {}, result: null, error: 'Error: disk full\n    at write (export.ts:10)', attempts: 3, company_id: 1, user_id: 2, company: 'Demo Company', created_at: now, finished_at: now, status_url: '/admin/jobs/12/status', retry_url: '/admin/jobs/12/retry' }],
};
