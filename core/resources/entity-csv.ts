import { once } from 'node:events';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import type { RequestContext } from '../security/request-context';
import { formatAmount, formatRate } from '../data/money';
import type { AnyEntity, ResolvedField } from './define-entity';
import type { FieldKind } from './fields';
import type { EntityRegistry, RegisteredEntity } from './entity-registry';
import type { EntityPageOptions } from './entity-types';
import { displayContext } from './display-context';
import { csvSafe, type DisplayContext } from './field-display';
import { readText } from './field-text';

/** What a cell gives back: a value for the service, a ref to look up by its text, or a reason. */
export type CsvParsed = { value: unknown } | { lookup: { target: string; text: string } } | { error: string };

/**
 * One CSV column of an entity: its header, how a value is written in a cell and read back from one.
 * Export writes with `format`; an import reads with `parse` (a ref's cell holds the target's title,
 * which the importer looks up), then hands the values to the entity's service like any caller.
 */
export interface CsvColumn {
  key: string;
  header: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  format(value: unknown, row: Record<string, unknown>, dc: DisplayContext): string;
  parse(text: string, row: Record<string, unknown>, place: Omit<DisplayContext, 'refs'>): CsvParsed;
}

const NUMERIC: ReadonlySet<FieldKind> = new Set(['integer', 'money', 'rate']);

export function csvColumns(entity: AnyEntity): CsvColumn[] {
  return entity.fieldList.filter((f) => f.csv).map((f) => ({
    key: f.key,
    header: f.csv!.header,
    label: f.label,
    kind: f.kind,
    required: Boolean(f.options.required),
    format: (value, row, dc) => formatCell(f, value, row, dc),
    parse: (text, row, place) => parseCell(f, text, row, place),
  }));
}

function formatCell(f: ResolvedField, value: unknown, row: Record<string, unknown>, dc: DisplayContext): string {
  if (value === null || value === undefined) return '';
  switch (f.kind) {
    case 'boolean':
      return value ? 'yes' : 'no';
    case 'money':
      return formatAmount(Number(value), dc.currencyOf(f, row));
    case 'rate':
      return formatRate(Number(value));
    case 'ref':
      return csvSafe(dc.refs.get(f.target!)?.get(Number(value))?.title ?? String(value));
    case 'list':
      return csvSafe((value as string[]).join(', '));
    case 'json':
      return csvSafe(JSON.stringify(value));
    default:
      // Numbers stay numbers for the spreadsheet; any text that could start a formula is neutralised.
      return NUMERIC.has(f.kind) ? String(value) : csvSafe(String(value));
  }
}

function parseCell(f: ResolvedField, raw: string, row: Record<string, unknown>, place: Omit<DisplayContext, 'refs'>): CsvParsed {
  const text = raw.trim().replace(/^'(?=[=+\-@\t\r])/, '');
  if (!text) return { value: f.kind === 'list' ? [] : f.kind === 'boolean' ? false : null };
  switch (f.kind) {
    case 'boolean':
      if (/^(yes|y|true|1|x)$/i.test(text)) return { value: true };
      return /^(no|n|false|0)$/i.test(text) ? { value: false } : { error: 'must be yes or no' };
    case 'ref':
      return { lookup: { target: f.target!, text } };
    default:
      return readText(f, text, { timeZone: place.timeZone, currency: () => place.currencyOf(f, row) });
  }
}

const EXPORT_PAGE = 200;

/**
 * Streams the rows matching a list's filters as CSV, page by page (keyset), writing as the client
 * takes them: memory stays flat however many rows match.
 */
export async function streamEntityCsv(ctx: RequestContext, registry: EntityRegistry, reg: RegisteredEntity, res: Response, options: Omit<EntityPageOptions, 'after' | 'limit'>): Promise<void> {
  const columns = csvColumns(reg.entity);
  // The first page is read before any byte goes out, so a bad filter is still a clean 422.
  let page = await reg.service.page(ctx, { ...options, limit: EXPORT_PAGE });
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${reg.entity.name}s-${new Date().toISOString().slice(0, 10)}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  const csv = stringify({ header: true, columns: columns.map((c) => ({ key: c.key, header: c.header })) });
  csv.pipe(res);
  try {
    for (;;) {
      const dc = await displayContext(ctx, registry, reg.entity, page.data);
      for (const row of page.data) {
        const line = Object.fromEntries(columns.map((c) => [c.key, c.format(row[c.key], row, dc)]));
        if (!csv.write(line)) await once(csv, 'drain');
      }
      if (!page.next_cursor || res.destroyed) break;
      page = await reg.service.page(ctx, { ...options, after: page.next_cursor, limit: EXPORT_PAGE });
    }
  } finally {
    csv.end();
  }
  if (!res.writableFinished) await new Promise((resolve) => (res.once('finish', resolve), res.once('close', resolve)));
}
