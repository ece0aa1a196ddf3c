import { CORE, ConflictError, NotFoundError, ValidationError, type JobContext, type RequestContext, type ScopedDb } from 'tessera/core';
import type { Container } from 'inversify';
import { CRM, type CustomerService } from '../../crm/api';
import type { BillingDocument } from '../api';
import type { BillingServices } from '../services';
import { listDocuments } from '../documents/document-list';
import { parseJson } from '../shared/caller';

export interface SelectiveCriteria {
  classification?: string;
  delivery_route?: string;
}

export interface SelectiveRow {
  customer: { id: number; code: string; name: string; classification: string | null; delivery_route: string | null };
  open_orders: BillingDocument[];
  open_invoices: BillingDocument[];
}

export interface RunInput {
  criteria: SelectiveCriteria;
  customer_ids: number[];
  /** Orders picked; none picked bills every open order of the selected customers. */
  order_ids?: number[];
  /** A quote used as a pro-forma template: each selected customer without an order to bill gets an invoice of its lines. */
  template_quote_id?: number;
}

const MAX_MATCHES = 2000;

/**
 * Selective billing: customers matched by crm's criteria (classification, delivery route, through its
 * service), shown with their open orders and invoices; billing the selected ones runs as a job. A run
 * is idempotent per customer and order: an order is invoiced once (its invoice is linked to it) and a
 * template quote bills a customer once (its origin key), so a run killed half-way and started again
 * bills nobody twice.
 */
export class SelectiveBilling {
  constructor(private readonly s: BillingServices) {}

  async preview(ctx: RequestContext, criteria: SelectiveCriteria): Promise<SelectiveRow[]> {
    if (!criteria.classification && !criteria.delivery_route) throw new ValidationError({ classification: 'pick a classification or a delivery route' });
    const customers = ctx.container.get<CustomerService>(CRM.Customers);
    const rows: SelectiveRow[] = [];
    let after: string | null = null;
    do {
      const page = await customers.search(ctx, criteria, { after, limit: 200, sort: 'code' });
      for (const c of page.data) {
        rows.push({
          customer: { id: c.id, code: c.code, name: `${c.first_name} ${c.last_name}`.trim(), classification: c.classification, delivery_route: c.delivery_route },
          open_orders: (await listDocuments(ctx.db, 'order', { customer_id: c.id, status: 'draft', limit: 50 })).data,
          open_invoices: (await listDocuments(ctx.db, 'invoice', { customer_id: c.id, status: 'open', limit: 50 })).data,
        });
      }
      after = page.next_cursor;
    } while (after && rows.length < MAX_MATCHES);
    return rows;
  }

  async start(ctx: RequestContext, input: RunInput): Promise<{ id: number; job_id: string }> {
    if (!input.customer_ids?.length) throw new ValidationError({ customer_ids: 'select at least one customer' });
    return ctx.db.transaction(async (db) => {
      const id = await db.insert('billing_selective_runs', {
        status: 'queued',
        criteria: JSON.stringify({ ...input.criteria, order_ids: input.order_ids ?? [], template_quote_id: input.template_quote_id ?? null }),
        customer_ids: JSON.stringify(input.customer_ids),
        total: input.customer_ids.length,
      }, { audit: false });
      await db.audit({ table: 'billing_selective_runs', recordId: id, action: 'create', changes: { customers: input.customer_ids.length, criteria: input.criteria } });
      const jobId = await db.enqueue('billing.selective', { run_id: id, company_id: ctx.companyId, user_id: ctx.principal.userId }, { jobKey: `billing.selective.${ctx.companyId}.${id}` });
      await db.update('billing_selective_runs', id, { job_id: jobId }, { audit: false });
      return { id, job_id: jobId };
    });
  }

  async get(ctx: RequestContext, id: number) {
    const row = await ctx.db.findById<Record<string, unknown>>('billing_selective_runs', id);
    if (!row) throw new NotFoundError('Selective billing run');
    return {
      id: Number(row.id),
      status: String(row.status),
      total: Number(row.total),
      done: Number(row.done),
      invoices: Number(row.invoices),
      percent: Number(row.total) ? Math.round((100 * Number(row.done)) / Number(row.total)) : 100,
      criteria: parseJson(row.criteria, {}),
    };
  }

  /** Bills the run's customers from where it stopped; each customer in a transaction of its own. */
  async run(ctx: RequestContext, id: number, progress: (percent: number) => Promise<void>): Promise<{ invoices: number }> {
    const row = await ctx.db.findById<Record<string, unknown>>('billing_selective_runs', id);
    if (!row) throw new NotFoundError('Selective billing run');
    if (row.status === 'done') return { invoices: Number(row.invoices) };
    const customers = parseJson<number[]>(row.customer_ids, []);
    const options = parseJson<{ order_ids?: number[]; template_quote_id?: number | null }>(row.criteria, {});
    const template = options.template_quote_id ? await this.s.documents.getOfKind(ctx, options.template_quote_id, 'quote') : null;
    await ctx.db.update('billing_selective_runs', id, { status: 'running' }, { audit: false });
    let invoices = Number(row.invoices);
    const step = Math.max(1, Math.floor(customers.length / 50));
    for (let i = Number(row.done); i < customers.length; i++) {
      invoices += await ctx.db.transaction(async (db) => {
        const made = await this.billCustomer(db, customers[i], options.order_ids ?? [], template);
        await db.unscoped('progress of a run of this company').table('billing_selective_runs').where({ id }).update({ done: i + 1, invoices: invoices + made });
        return made;
      });
      if (i % step === 0 || i === customers.length - 1) await progress(Math.round((100 * (i + 1)) / customers.length));
    }
    await ctx.db.update('billing_selective_runs', id, { status: 'done' }, { audit: false });
    return { invoices };
  }

  private async billCustomer(db: ScopedDb, customerId: number, orderIds: number[], template: BillingDocument | null): Promise<number> {
    const open = (await listDocuments(db, 'order', { customer_id: customerId, status: 'draft', limit: 500 })).data;
    const orders = orderIds.length ? open.filter((o) => orderIds.includes(o.id)) : open;
    let made = 0;
    for (const order of orders) {
      await this.s.documents.invoiceOrder(db, order.id);
      made++;
    }
    if (!orders.length && template) {
      const origin = { module: 'billing.selective', key: `quote-${template.id}-customer-${customerId}` };
      const before = await db.queryCompany(db.principal.companyId, 'billing_documents').where({ origin_module: origin.module, origin_key: origin.key }).first('id');
      if (!before) {
        const lines = (template.lines ?? []).map((l) => ({ productCode: l.product_code, quantity: l.quantity, unitPrice: l.unit_price, description: l.description }));
        await this.s.documents.createInvoice(db, { customerId, journalId: template.journal_id, lines, origin, post: true });
        made++;
      }
    }
    return made;
  }

  static jobHandler(container: Container, selective: SelectiveBilling) {
    return async (job: JobContext<{ run_id: number; company_id: number; user_id: number | null }>) => {
      if (job.data.user_id === null) throw new ConflictError('A selective billing run needs the user who started it');
      const ctx = await container.get<{ forUser(u: number, c: number): Promise<RequestContext> }>(CORE.Contexts).forUser(job.data.user_id, job.data.company_id);
      return selective.run(ctx, job.data.run_id, (percent) => job.progress(percent));
    };
  }
}
