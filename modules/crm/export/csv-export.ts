import { once } from 'node:events';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import type { RequestContext } from 'tessera/core';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import { shopsById } from '../shops';
import { customerSearch, planDrive } from '../customers/customer-search';
import { parseCustom } from '../customers/customer-rows';
import { resolveGroup, tagsFor } from '../customers/customer-service';
import type { CustomerCriteria, CustomerRow, CustomerSort } from '../customers/customer-types';
import { templateHeader } from '../import/csv-columns';
import { csvSafe } from 'tessera/core';
import { plainFields } from '../customers/customer-entity';

const CSV_PLAIN = plainFields.filter((f) => f.csv);

const PAGE = 1000;

/**
 * Streams the list, with its filters and sort, as CSV in the import's own columns (so an exported
 * file imports back unchanged). Pages are read by keyset and written as the client takes them: memory
 * stays flat however many customers match.
 */
export async function streamCustomerCsv(ctx: RequestContext, res: Response, criteria: CustomerCriteria, sort: CustomerSort = 'name'): Promise<void> {
  ctx.require(PERM.customerExport);
  const settings = await crmSettings(ctx);
  const shops = await shopsById(ctx);
  const group = criteria.group_id ? await resolveGroup(ctx.db, criteria.group_id) : undefined;
  const header = templateHeader(settings.custom_fields);
  const stamp = new Date().toISOString().slice(0, 10);
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="customers-${stamp}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  const csv = stringify({ header: true, columns: header, cast: { boolean: (v) => (v ? 'yes' : 'no') } });
  csv.pipe(res);
  const drive = await planDrive(ctx.db, criteria, { sort, group });
  let after: string | null = null;
  try {
    do {
      const search = customerSearch(ctx.db, criteria, { sort, after, limit: PAGE, group, drive, phoneCountry: settings.phone_country });
      const { rows, next_cursor } = search.page((await search.query) as CustomerRow[]);
      const ids = rows.map((r) => Number(r.id));
      const tags = await tagsFor(ctx.db, ids);
      const parentIds = [...new Set(rows.filter((r) => r.parent_id).map((r) => Number(r.parent_id)))];
      const parents = new Map<number, string>(
        parentIds.length ? ((await ctx.db.query('crm_customers').whereIn('id', parentIds).select('id', 'code')) as Array<{ id: number; code: string }>).map((p) => [Number(p.id), p.code]) : [],
      );
      for (const r of rows) {
        const custom = parseCustom(r.custom_fields);
        const line: Record<string, unknown> = {
          code: r.code,
          first_name: r.first_name,
          last_name: r.last_name,
          phone: r.phone ?? '',
          email: r.email ?? '',
          birthdate: r.birthdate ? String(r.birthdate).slice(0, 10) : '',
          shop: shops.get(Number(r.shop_id))?.code ?? '',
          tags: (tags.get(Number(r.id)) ?? []).join(', '),
          ...Object.fromEntries(CSV_PLAIN.map((f) => [f.csv!.header, (r as unknown as Record<string, unknown>)[f.key] ?? ''])),
          parent_code: r.parent_id ? parents.get(Number(r.parent_id)) ?? '' : '',
        };
        for (const def of settings.custom_fields) line[def.key] = custom[def.key] ?? '';
        // A cell a spreadsheet would run as a formula (`=HYPERLINK(...)`) is neutralised; import reads it back.
        for (const [key, value] of Object.entries(line)) if (typeof value === 'string') line[key] = csvSafe(value);
        if (!csv.write(line)) await once(csv, 'drain');
      }
      after = next_cursor;
    } while (after && !res.destroyed);
  } finally {
    csv.end();
  }
  if (!res.writableFinished) {
    await new Promise((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
  }
}
