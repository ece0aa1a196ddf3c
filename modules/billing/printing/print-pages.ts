import { requireId, type PageRoute, type RequestContext } from 'tessera/core';
import { BILLING_PERMISSIONS as P, type BillingDocument, type DocumentKind } from '../api';
import type { BillingServices } from '../services';
import { companyFacts } from '../shared/caller';
import { customerName } from '../crm/customer-name';
import { money, sendPdf } from './pdf';

const PRINTABLE: Array<{ kind: DocumentKind; path: string; title: string }> = [
  { kind: 'invoice', path: 'invoices', title: 'Invoice' },
  { kind: 'quote', path: 'quotes', title: 'PRO-FORMA' },
  { kind: 'credit_note', path: 'credit-notes', title: 'Credit note' },
];

async function printable(ctx: RequestContext, s: BillingServices, id: number, kind: DocumentKind) {
  const doc = await s.documents.getOfKind(ctx, id, kind);
  const facts = await companyFacts(ctx.db);
  return { doc, company: facts.name, customer: await customerName(ctx, doc.customer_id) };
}

function heading(doc: BillingDocument, title: string): string {
  return doc.kind === 'quote' ? `PRO-FORMA (quote #${doc.id})` : `${title} ${doc.number ?? `draft #${doc.id}`}`;
}

/** Print-friendly pages and PDF downloads (pdfkit) of invoices, credit notes and quotes (marked PRO-FORMA). */
export function printPageRoutes(s: BillingServices): PageRoute[] {
  const routes: PageRoute[] = [];
  for (const { kind, path, title } of PRINTABLE) {
    routes.push(
      {
        method: 'GET', path: `/billing/${path}/:id/print`, permission: P.documentRead,
        handler: async (ctx, { params }) => {
          const data = await printable(ctx, s, requireId(params.id), kind);
          return { view: 'billing/print', title: heading(data.doc, title), data: { ...data, heading: heading(data.doc, title), proforma: kind === 'quote', isInvoice: kind === 'invoice' } };
        },
      },
      {
        method: 'GET', path: `/billing/${path}/:id/pdf`, permission: P.documentRead,
        handler: async (ctx, { params }, _req, res) => {
          const { doc, company, customer } = await printable(ctx, s, requireId(params.id), kind);
          const c = doc.currency;
          return sendPdf(res, `${(doc.number ?? `${kind}-${doc.id}`).replace(/[^\w.-]+/g, '-')}.pdf`, {
            title: heading(doc, title),
            watermark: kind === 'quote' ? 'PRO-FORMA' : undefined,
            header: [company, `Customer: ${customer}`, `Date: ${doc.issue_date}${doc.due_date ? `   Due: ${doc.due_date}` : ''}`, ...(doc.tax_exempt ? ['Tax exempt'] : [])],
            columns: [{ label: 'Product', width: 70 }, { label: 'Description', width: 170 }, { label: 'Qty', width: 40, align: 'right' }, { label: 'Unit price', width: 80, align: 'right' }, { label: 'Tax', width: 70, align: 'right' }, { label: 'Amount', width: 85, align: 'right' }],
            rows: (doc.lines ?? []).map((l) => [l.product_code, l.description, String(l.quantity), money(l.unit_price, c), money(l.tax, c), money(l.amount, c)]),
            footer: [`Subtotal: ${money(doc.subtotal, c)}`, `Tax: ${money(doc.tax, c)}`, `Total: ${money(doc.total, c)}`, ...(kind === 'invoice' ? [`Still due: ${money(doc.residual, c)}`] : [])],
          });
        },
      },
    );
  }
  return routes;
}
