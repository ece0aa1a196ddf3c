import type { RequestContext } from 'tessera/core';
import type { CustomFieldDef } from './customers/custom-fields';
import { DEFAULT_CODE_FORMAT } from './customers/customer-code';

/** The crm settings of one company, as the manifest's schema declares them. */
export interface CrmSettings {
  customer_code_format: string;
  custom_fields: CustomFieldDef[];
}

/** Read through the caller's db, so inside a transaction it uses the transaction's connection. */
export async function crmSettings(ctx: RequestContext, companyId = ctx.companyId): Promise<CrmSettings> {
  const raw = await ctx.db.settings<Partial<CrmSettings>>('crm', companyId);
  return {
    customer_code_format: raw.customer_code_format || DEFAULT_CODE_FORMAT,
    custom_fields: (raw.custom_fields ?? []).map((f) => ({ ...f, type: f.type ?? 'text', options: f.options ?? [], required: !!f.required })),
  };
}
