import { type RequestContext, CORE, type TesseraConfig } from 'tessera/core';
import { FALLBACK_COUNTRY, phoneCountry, type PhoneCountry } from './customers/phone-numbers';
import type { CustomFieldDef } from './customers/custom-fields';
import { DEFAULT_CODE_FORMAT } from './customers/customer-code';

/** The crm settings of one company, as the manifest's schema declares them. */
export interface CrmSettings {
  customer_code_format: string;
  custom_fields: CustomFieldDef[];
  /** The country national phone numbers are read in: the company's setting, else the installation's. */
  phone_country: PhoneCountry;
}

/** Read through the caller's db, so inside a transaction it uses the transaction's connection. */
export async function crmSettings(ctx: RequestContext, companyId = ctx.companyId): Promise<CrmSettings> {
  const raw = await ctx.db.settings<Partial<CrmSettings>>('crm', companyId);
  return {
    customer_code_format: raw.customer_code_format || DEFAULT_CODE_FORMAT,
    phone_country: phoneCountry(raw.phone_country) ?? defaultCountry(ctx),
    custom_fields: (raw.custom_fields ?? []).map((f) => ({ ...f, type: f.type ?? 'text', options: f.options ?? [], required: !!f.required })),
  };
}

function defaultCountry(ctx: RequestContext): PhoneCountry {
  const config = ctx.container.isBound(CORE.Config) ? ctx.container.get<TesseraConfig>(CORE.Config) : undefined;
  return phoneCountry(config?.defaultCountry) ?? FALLBACK_COUNTRY;
}
