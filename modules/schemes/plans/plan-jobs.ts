import { CORE, type ModuleContext, type RequestContext } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';
import { companyZone } from './company-clock';
import { dayOf } from './plan-expiry';
import { INSTALMENTS, invoiceDue } from './plan-service';

interface SystemContexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

/**
 * Every morning (and every hour, to catch up after downtime), each plan's instalments due today or
 * earlier are invoiced through billing. Idempotent: an invoice's origin is its schedule row.
 */
export function registerPlanJobs(m: ModuleContext, ports: Ports): void {
  m.jobs.schedule('invoice-instalments', '7 * * * *', async () => invoiceAllDue(m, ports));
}

export async function invoiceAllDue(m: Pick<ModuleContext, 'container'>, ports: Ports): Promise<number> {
  const contexts = m.container.get<SystemContexts>(CORE.Contexts);
  const knex = m.container.get<import('knex').Knex>(CORE.Knex);
  // Which companies have rows without an invoice: the installation's own work, across companies.
  const companies = (await knex(INSTALMENTS).whereNull('invoice_id').distinct('company_id').pluck('company_id')) as number[];
  let issued = 0;
  for (const companyId of companies.map(Number)) {
    const ctx = contexts.system([companyId], companyId);
    const day = dayOf(new Date(), await companyZone(ports, ctx.db, companyId));
    const plans = (await ctx.db.queryCompany(companyId, INSTALMENTS).whereNull('invoice_id').where('due_date', '<=', day).distinct('plan_id').pluck('plan_id')) as number[];
    for (const planId of plans) issued += await ctx.db.transaction((db) => invoiceDue(ports, db, Number(planId), day));
  }
  return issued;
}
