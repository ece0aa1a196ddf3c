import { type RequestContext, type ScopedDb, ValidationError, CORE, type SettingsService } from 'tessera/core';
import { CRM, type CustomerService } from 'tessera/modules/crm';
import type { VisitNote } from './api';

/** The latest notes of the companies the user may see. */
export async function latestNotes(ctx: RequestContext, limit = 50): Promise<VisitNote[]> {
  return ctx.db.query('visit_notes').orderBy('id', 'desc').limit(limit).select('id', 'customer_id', 'visited_on', 'text');
}

/** The latest notes on one customer, as many as the company's `panel_size` setting says. */
export async function notesOnCustomer(ctx: RequestContext, customer: { id: number; company_id: number }): Promise<VisitNote[]> {
  const settings = await ctx.container.get<SettingsService>(CORE.Settings).get<{ panel_size: number }>(customer.company_id, 'visit_notes');
  return ctx.db.query('visit_notes').where({ customer_id: customer.id }).orderBy('id', 'desc').limit(settings.panel_size).select('id', 'customer_id', 'visited_on', 'text');
}

/** Writes a note on a customer the user may see; the customer is found through crm's service, not its table. */
export async function addNote(ctx: RequestContext, input: Record<string, unknown>): Promise<{ id: number; customerId: number }> {
  const text = String(input.text ?? '').trim();
  const visitedOn = String(input.visited_on || new Date().toISOString().slice(0, 10));
  const fields: Record<string, string> = {};
  if (!text) fields.text = 'is required';
  if (text.length > 1000) fields.text = 'must be at most 1000 characters';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(visitedOn)) fields.visited_on = 'must be a date (YYYY-MM-DD)';
  if (Object.keys(fields).length) throw new ValidationError(fields);
  const customer = await ctx.container.get<CustomerService>(CRM.Customers).get(ctx, Number(input.customer_id) || 0);
  const id = await ctx.db.insert('visit_notes', { company_id: customer.company_id, customer_id: customer.id, visited_on: visitedOn, text });
  return { id, customerId: customer.id };
}

/** Removes every note on a customer, each recorded in the audit trail. */
export async function removeNotesOf(db: ScopedDb, customerId: number): Promise<void> {
  const notes = (await db.query('visit_notes').where({ customer_id: customerId }).select('id', 'company_id', 'visited_on', 'text')) as Array<VisitNote & { company_id: number }>;
  if (!notes.length) return;
  await db.query('visit_notes').whereIn('id', notes.map((n) => n.id)).delete();
  await db.auditMany(notes.map(({ id, company_id, visited_on, text }) => ({ table: 'visit_notes', recordId: id, action: 'delete', companyId: company_id, changes: { customer_id: customerId, visited_on, text } })));
}
