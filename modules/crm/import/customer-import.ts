import { defineImport, type ImportSession, type RequestContext, type RowError } from 'tessera/core';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import { shopDirectory } from '../shops';
import { normalizeText } from '../customers/customer-normalize';
import { columnMap, importColumns } from './csv-columns';
import { parseRow, ShopLookup, type MatchBy, type ParsedRow } from './csv-row';
import { processBatch } from './import-batch';

type CustomerValue = ParsedRow['value'];

/**
 * crm's customer import, declared for the core import frame (core/imports): its columns (with the
 * company's custom fields), the keys a row may be matched on, and its session. What is crm's own
 * stays here: family links (a main customer earlier in the file is written before its members),
 * the one-phone-one-customer rule across the file, and the company's import lock that makes two
 * imports at once take turns batch by batch (see import-batch.ts).
 */
export const customerImport = defineImport<CustomerValue>({
  kind: 'crm.customers',
  noun: 'customer',
  permission: PERM.customerImport,
  keys: [
    { value: 'auto', label: 'Code, else e-mail, else phone' },
    { value: 'code', label: 'Code' },
    { value: 'email', label: 'E-mail' },
    { value: 'phone', label: 'Phone' },
  ],
  async columns(ctx) {
    return importColumns((await crmSettings(ctx)).custom_fields);
  },
  async open(ctx, run) {
    return customerSession(ctx, run);
  },
});

async function customerSession(ctx: RequestContext, run: { importId: number | null; dryRun: boolean; key: string; today: string }): Promise<ImportSession<CustomerValue>> {
  const companyId = ctx.companyId;
  const settings = await crmSettings(ctx, companyId);
  const shops = new ShopLookup((await shopDirectory(ctx).list(ctx)).filter((s) => Number(s.company_id) === companyId).map((s) => ({ ...s, id: Number(s.id) })));
  const columns = importColumns(settings.custom_fields);
  const index = new Map(columns.map((c, i) => [c.key, i]));
  // Codes seen earlier in the file: a second row with one is an error, and (in a preview) a parent
  // defined earlier in the file counts as existing.
  const seenCodes = new Map<string, number>();
  const batch = { companyId, dryRun: run.dryRun, format: settings.customer_code_format, customFields: settings.custom_fields, importId: run.importId, seenCodes, phoneClaims: new Map<string, number>(), codePhones: new Map<string, string | null>() };
  // Codes of new customers waiting in the current batch, and the code carried over a flush.
  let pendingNewCodes = new Set<string>();
  let carried: string | null = null;

  return {
    parse(cells, line) {
      // The frame hands cells by column key; parseRow reads a record by column index.
      const record: string[] = [];
      const present: Record<string, number> = {};
      for (const [key, text] of Object.entries(cells)) {
        const i = index.get(key)!;
        record[i] = text ?? '';
        present[key] = i;
      }
      return parseRow(record, line, columnMap(present), { shops, customFields: settings.custom_fields, matchBy: run.key as MatchBy, today: run.today, phoneCountry: settings.phone_country });
    },
    admit(row): RowError | 'flush' | null {
      const parsed = row as ParsedRow;
      const code = parsed.value.code ? normalizeText(parsed.value.code) : null;
      if (code && parsed.key.field !== 'code' && seenCodes.has(code)) return { line: row.line, field: 'code', reason: `same code as line ${seenCodes.get(code)}` };
      if (code) seenCodes.set(code, row.line);
      // A family member whose main customer is created earlier in the same batch waits for it.
      if (parsed.parentCode && pendingNewCodes.has(normalizeText(parsed.parentCode))) {
        carried = code;
        return 'flush';
      }
      if (code) pendingNewCodes.add(code);
      return null;
    },
    async write(rows) {
      pendingNewCodes = new Set(carried ? [carried] : []);
      carried = null;
      return processBatch(ctx, rows as ParsedRow[], batch);
    },
  };
}
