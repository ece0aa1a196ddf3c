import { endOfDay, formatDate, startOfDay, type ModuleContext, type RequestContext, type ImportFrame } from 'tessera/core';
import { PERM } from '../permissions';
import { CRM } from '../api';

const RUNNING = new Set(['preview_queued', 'previewing', 'import_queued', 'importing']);

const CUSTOMERS = 'crm_customers';
const DAY_MS = 86_400_000;
/** Days of the "new customers" chart; the week's total is its last seven. */
const CHART_DAYS = 14;

/**
 * What crm puts on the home page (slot `home.widgets`) and in the header (slot `shell.search`), each
 * for the users allowed to see it: the customer search, the customer counts with the new customers
 * of the last two weeks, today's birthdays, imports running. Every query is an index range of the
 * current company (created_at, birth_month, status).
 */
export function registerCrmWidgets(m: ModuleContext): void {
  m.views.slot({ slot: 'shell.search', template: 'crm/home/header-search', permission: PERM.customerRead });
  m.views.slot({ slot: 'home.widgets', template: 'crm/home/widget-search', order: 10, permission: PERM.customerRead });
  m.views.slot({ slot: 'home.widgets', template: 'crm/home/widget-customers', order: 20, permission: PERM.customerRead, data: customerCounts });
  m.views.slot({ slot: 'home.widgets', template: 'crm/home/widget-birthdays', order: 30, permission: PERM.customerRead, data: birthdaysToday });
  m.views.slot({ slot: 'home.widgets', template: 'crm/home/widget-imports', order: 40, permission: PERM.customerImport, data: importsRunning(() => m.container.get<ImportFrame>(CRM.Imports)) });
}

function companyDay(ctx: RequestContext, offsetDays = 0): { day: string; timeZone: string } {
  const timeZone = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.timezone ?? 'UTC';
  return { day: formatDate(new Date(Date.now() + offsetDays * DAY_MS), timeZone), timeZone };
}

async function countOf(q: ReturnType<RequestContext['db']['query']>): Promise<number> {
  const row = (await q.count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

async function customerCounts(ctx: RequestContext): Promise<Record<string, unknown>> {
  const mine = () => ctx.db.query(CUSTOMERS).where('company_id', ctx.companyId);
  const days: string[] = [];
  for (let i = CHART_DAYS - 1; i >= 0; i -= 1) days.push(companyDay(ctx, -i).day);
  const { timeZone } = companyDay(ctx);
  const perDay = await Promise.all(days.map((day) => countOf(mine().where('created_at', '>=', startOfDay(day, timeZone)).where('created_at', '<', endOfDay(day, timeZone)))));
  const total = await countOf(mine());
  const week = perDay.slice(-7).reduce((a, b) => a + b, 0);
  return {
    customerTotal: total,
    newThisWeek: week,
    weekFrom: days[CHART_DAYS - 7],
    newChart: { type: 'bar', title: `New customers over the last ${CHART_DAYS} days`, labels: days.map((d) => d.slice(5)), series: [{ name: '', values: perDay }] },
  };
}

async function birthdaysToday(ctx: RequestContext): Promise<Record<string, unknown>> {
  const { day } = companyDay(ctx);
  const [, month, date] = day.split('-');
  const rows = (await ctx.db
    .query(CUSTOMERS)
    .where('company_id', ctx.companyId)
    .where('birth_month', Number(month))
    .where('birthdate', 'like', `%-${month}-${date}`)
    .orderBy('name_norm')
    .limit(9)
    .select('id', 'code', 'first_name', 'last_name', 'birthdate')) as Array<{ id: number; code: string; first_name: string; last_name: string; birthdate: unknown }>;
  return { birthdays: rows.slice(0, 8).map((r) => ({ ...r, age: ageOn(day, r.birthdate) })), moreBirthdays: rows.length > 8, birthdayQuery: `/crm/customers?birth_month=${Number(month)}` };
}

function ageOn(day: string, birthdate: unknown): number | null {
  const born = typeof birthdate === 'string' ? birthdate.slice(0, 10) : birthdate instanceof Date ? birthdate.toISOString().slice(0, 10) : '';
  if (!born) return null;
  return Number(day.slice(0, 4)) - Number(born.slice(0, 4));
}

/** Imports queued or running, from the import frame (crm's imports are its `crm` kind). */
function importsRunning(imports: () => ImportFrame) {
  return async (ctx: RequestContext): Promise<Record<string, unknown>> => {
    const recent = await imports().recent(ctx, 20);
    return { imports: recent.filter((i) => RUNNING.has(i.status)).slice(0, 5) };
  };
}
