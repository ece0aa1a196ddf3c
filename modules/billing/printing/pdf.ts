import type PDFKit from 'pdfkit';
import type { Response } from 'express';
import { formatMoney, HANDLED } from 'tessera/core';

export interface PdfTable {
  title: string;
  /** Company name, document number, dates: the header lines. */
  header: string[];
  columns: Array<{ label: string; width: number; align?: 'left' | 'right' }>;
  rows: string[][];
  footer: string[];
  /** A large mark across the page (PRO-FORMA). */
  watermark?: string;
}

/** Streams a one-table PDF (invoices, credit notes, quotes, statements) as a download, made by pdfkit. */
export function sendPdf(res: Response, filename: string, table: PdfTable): typeof HANDLED {
  res.status(200).setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  // pdfkit (with its fonts) costs about a tenth of a second to load: only a PDF download pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = require('pdfkit') as typeof PDFKit;
  const pdf = new PDFDocument({ size: 'A4', margin: 40, info: { Title: table.title } });
  pdf.pipe(res);
  if (table.watermark) {
    pdf.save().fontSize(80).fillColor('#dddddd').rotate(-30, { origin: [300, 420] }).text(table.watermark, 60, 380).restore();
    pdf.fillColor('black');
  }
  pdf.fontSize(18).text(table.title, 40, 40);
  pdf.fontSize(10);
  for (const line of table.header) pdf.text(line);
  pdf.moveDown();
  const drawRow = (cells: string[], bold: boolean) => {
    const y = pdf.y;
    let x = 40;
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    table.columns.forEach((column, i) => {
      pdf.text(cells[i] ?? '', x, y, { width: column.width - 6, align: column.align ?? 'left' });
      x += column.width;
    });
    pdf.x = 40;
    pdf.moveDown(0.3);
    if (pdf.y > 780) pdf.addPage();
  };
  drawRow(table.columns.map((c) => c.label), true);
  for (const row of table.rows) drawRow(row, false);
  pdf.moveDown();
  pdf.font('Helvetica-Bold');
  for (const line of table.footer) pdf.text(line, 40);
  pdf.end();
  return HANDLED;
}

export const money = (minor: number, currency: string): string => formatMoney(minor, currency);
