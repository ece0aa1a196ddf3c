import type { Response } from 'express';
import { csvSafe, HANDLED, type ScopedDb } from 'tessera/core';
import type { DocumentKind } from '../api';
import { listDocuments, listPayments, type ListFilters } from '../documents/document-list';

/** One CSV cell: quoted when needed, formula-looking text defused. */
export function cell(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = csvSafe(value === null || value === undefined ? '' : String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return values.map(cell).join(',') + '\r\n';
}

/** Streams rows as a CSV download. */
export async function sendCsv(res: Response, filename: string, lines: AsyncIterable<string>): Promise<typeof HANDLED> {
  res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  for await (const line of lines) res.write(line);
  res.end();
  return HANDLED;
}

/** Documents of a kind with the list's filters, page after page (amounts in minor units). */
export async function* documentCsv(db: ScopedDb, kind: DocumentKind, filters: ListFilters): AsyncGenerator<string> {
  yield csvLine(['id', 'number', 'customer_id', 'journal_id', 'status', 'issue_date', 'due_date', 'currency', 'subtotal', 'tax', 'total', 'residual']);
  let after: string | undefined = filters.after;
  do {
    const page = await listDocuments(db, kind, { ...filters, after, limit: 1000 });
    for (const d of page.data) yield csvLine([d.id, d.number, d.customer_id, d.journal_id, d.status, d.issue_date, d.due_date, d.currency, d.subtotal, d.tax, d.total, d.residual]);
    after = page.next_cursor ?? undefined;
  } while (after);
}

export async function* paymentCsv(db: ScopedDb, filters: ListFilters): AsyncGenerator<string> {
  yield csvLine(['id', 'reference', 'customer_id', 'journal_id', 'method', 'status', 'currency', 'amount', 'unallocated']);
  let after: string | undefined = filters.after;
  do {
    const page = await listPayments(db, { ...filters, after, limit: 1000 });
    for (const p of page.data) yield csvLine([p.id, p.reference, p.customer_id, p.journal_id, p.method, p.status, p.currency, p.amount, p.unallocated]);
    after = page.next_cursor ?? undefined;
  } while (after);
}
