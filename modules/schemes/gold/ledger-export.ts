import type PDFKit from 'pdfkit';
import type { Response } from 'express';
import { formatMoney, HANDLED, type ScopedDb } from 'tessera/core';
import type { LedgerRow } from './plan-view';
import type { PlanRow } from './plan-store';

const COLUMNS = ['date', 'kind', 'month', 'reference', 'mode', 'amount', 'on_time', 'grams_milli', 'rate', 'balance', 'detail'] as const;

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // Neutralise cells a spreadsheet would run as a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The plan's ledger as a CSV download (amounts in minor units, grams in milligrams). */
export function sendLedgerCsv(res: Response, planId: number, rows: LedgerRow[]): typeof HANDLED {
  const body = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="gold-plan-${planId}-ledger.csv"`);
  res.send(body);
  return HANDLED;
}

/** The company's name and currency, read in the caller's connection (the company is the caller's own). */
async function companyOf(db: ScopedDb): Promise<{ name: string; currency: string }> {
  db.assertCompany(db.principal.companyId);
  const row = await db.unscoped("the caller's own company (checked above)").table('core_companies').where({ id: db.principal.companyId }).first('name', 'currency');
  return { name: String(row?.name ?? ''), currency: String(row?.currency ?? 'EUR') };
}

/** The plan's ledger as a one-table PDF (pdfkit): the plan's figures on top, each row with its running balance. */
export async function sendLedgerPdf(db: ScopedDb, res: Response, plan: PlanRow, rows: LedgerRow[]): Promise<typeof HANDLED> {
  const company = await companyOf(db);
  const money = (minor: number) => formatMoney(minor, company.currency);
  res.status(200).setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `attachment; filename="gold-plan-${plan.id}-ledger.pdf"`);
  // pdfkit (and its fonts) load on the first PDF asked for, not at every start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = require('pdfkit') as typeof PDFKit;
  const pdf = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `Gold plan ${plan.id} ledger` } });
  pdf.pipe(res);
  pdf.fontSize(18).text(`Gold plan ${plan.id}: ledger`, 40, 40);
  pdf.fontSize(10);
  for (const line of [company.name, `Customer ${plan.customer_id}, tier ${plan.tier}, from ${plan.start_month}, maturity ${plan.maturity_date}`, `Paid ${money(plan.paid_total)} in ${plan.paid_count} of ${plan.instalments} instalments (${plan.on_time_count} on time, ${plan.missed_count} missed)${plan.grams_milli ? `, ${(plan.grams_milli / 1000).toFixed(3)} g` : ''}`]) pdf.text(line);
  pdf.moveDown();
  const columns = [{ label: 'Date', width: 70 }, { label: 'Entry', width: 70 }, { label: 'Month', width: 50 }, { label: 'Reference', width: 110 }, { label: 'Amount', width: 80, right: true }, { label: 'Grams', width: 50, right: true }, { label: 'Balance', width: 85, right: true }];
  const drawRow = (cells: string[], bold: boolean) => {
    const y = pdf.y;
    let x = 40;
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    columns.forEach((c, i) => {
      pdf.text(cells[i] ?? '', x, y, { width: c.width - 6, align: c.right ? 'right' : 'left' });
      x += c.width;
    });
    pdf.x = 40;
    pdf.moveDown(0.3);
    if (pdf.y > 780) pdf.addPage();
  };
  drawRow(columns.map((c) => c.label), true);
  for (const r of rows) {
    const entry = r.kind === 'instalment' ? (r.on_time ? 'on time' : 'late') : r.kind;
    drawRow([r.date, entry, r.month ?? '', r.reference ?? r.detail, money(r.amount), r.grams_milli ? (r.grams_milli / 1000).toFixed(3) : '', money(r.balance)], false);
  }
  pdf.end();
  return HANDLED;
}
