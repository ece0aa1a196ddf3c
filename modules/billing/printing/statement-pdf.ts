import type { Response } from 'express';
import type { RequestContext } from 'tessera/core';
import { companyFacts } from '../shared/caller';
import type { Statement } from '../ledger/statement';
import { money, sendPdf } from './pdf';
import { customerName } from '../crm/customer-name';

export async function statementPdf(ctx: RequestContext, statement: Statement, res: Response) {
  const facts = await companyFacts(ctx.db);
  const name = await customerName(ctx, statement.customer_id);
  return sendPdf(res, `statement-${statement.customer_id}.pdf`, {
    title: 'Customer statement',
    header: [facts.name, `Customer: ${name}`, `Period: ${statement.from ?? 'start'} to ${statement.to ?? 'today'}`, `Opening balance: ${money(statement.opening_balance, facts.currency)}`],
    columns: [{ label: 'Date', width: 70 }, { label: 'Description', width: 215 }, { label: 'Debit', width: 75, align: 'right' }, { label: 'Credit', width: 75, align: 'right' }, { label: 'Balance', width: 80, align: 'right' }],
    rows: statement.lines.map((l) => [l.date, l.description, l.debit ? money(l.debit, facts.currency) : '', l.credit ? money(l.credit, facts.currency) : '', money(l.balance, facts.currency)]),
    footer: [`Closing balance: ${money(statement.closing_balance, facts.currency)}`],
  });
}
