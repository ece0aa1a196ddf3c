import type { Knex } from 'knex';
import { loadConfig } from 'tessera/core';
import { FALLBACK_COUNTRY, phoneCountry, toE164, type PhoneCountry } from '../customers/phone-numbers';

/**
 * Phones are kept in E.164 (`+33612345601`), read in the company's country, so `06 12 34 56 01` and
 * `+33 6 12 34 56 01` are one number and found by either form. Existing rows are converted; a number
 * that cannot be read stays as it was. `phone_norm` becomes the E.164 digits, and the phone's owner
 * (migration 006) is worked out again: where two customers wrote one number two ways, the older keeps
 * owning it and the other is listed by `GET /customers/duplicate-phones`, as 006 did.
 *
 * What each converted row held before is kept in `crm_phone_e164_backup`, which `down` puts back.
 */
const CUSTOMERS = 'crm_customers';
const BACKUP = 'crm_phone_e164_backup';
const CHUNK = 500;

interface Row {
  id: number;
  company_id: number;
  parent_id: number | null;
  phone: string;
  phone_norm: string | null;
  owned_phone_norm: string | null;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(BACKUP, (t) => {
    t.integer('customer_id').unsigned().primary();
    t.string('phone', 40).nullable();
    t.string('phone_norm', 40).nullable();
    t.string('owned_phone_norm', 40).nullable();
  });
  const countries = await companyCountries(knex);
  const fallback = installationCountry();
  const changed: Array<Row & { norm: string }> = [];
  let after = 0;
  for (;;) {
    const rows = (await knex(CUSTOMERS).whereNotNull('phone').where('id', '>', after).orderBy('id').limit(CHUNK).select('id', 'company_id', 'parent_id', 'phone', 'phone_norm', 'owned_phone_norm')) as Row[];
    if (!rows.length) break;
    after = Number(rows[rows.length - 1].id);
    for (const row of rows) {
      const read = toE164(row.phone, countries.get(Number(row.company_id)) ?? fallback);
      if ('problem' in read || read.e164 === row.phone) continue;
      changed.push({ ...row, id: Number(row.id), company_id: Number(row.company_id), norm: read.e164.slice(1) });
      await knex(BACKUP).insert({ customer_id: row.id, phone: row.phone, phone_norm: row.phone_norm, owned_phone_norm: row.owned_phone_norm });
      // Ownership is set again below, once every number is in its new form.
      await knex(CUSTOMERS).where('id', row.id).update({ phone: read.e164, phone_norm: read.e164.slice(1), owned_phone_norm: null });
    }
  }
  for (const row of changed) {
    // A customer that owned its phone owns it still, unless the number, written another way, is owned already.
    if (row.owned_phone_norm === null) continue;
    if (row.parent_id !== null) {
      const parent = await knex(CUSTOMERS).where('id', row.parent_id).first('phone_norm');
      if (parent?.phone_norm === row.norm) continue;
    }
    const owner = await knex(CUSTOMERS).where({ company_id: row.company_id, owned_phone_norm: row.norm }).first('id');
    if (!owner) await knex(CUSTOMERS).where('id', row.id).update({ owned_phone_norm: row.norm });
  }
}

export async function down(knex: Knex): Promise<void> {
  const ids = knex(BACKUP).select('customer_id');
  await knex(CUSTOMERS).whereIn('id', ids).update({ owned_phone_norm: null });
  let after = 0;
  for (;;) {
    const rows = await knex(BACKUP).where('customer_id', '>', after).orderBy('customer_id').limit(CHUNK);
    if (!rows.length) break;
    after = Number(rows[rows.length - 1].customer_id);
    for (const r of rows) await knex(CUSTOMERS).where('id', r.customer_id).update({ phone: r.phone, phone_norm: r.phone_norm, owned_phone_norm: r.owned_phone_norm });
  }
  await knex.schema.dropTable(BACKUP);
}

/** Each company's `phone_country` crm setting, where one is set. */
async function companyCountries(knex: Knex): Promise<Map<number, PhoneCountry>> {
  const countries = new Map<number, PhoneCountry>();
  if (!(await knex.schema.hasTable('core_settings'))) return countries;
  for (const row of await knex('core_settings').where({ module: 'crm' }).select('company_id', 'value')) {
    const country = phoneCountry(safeJson(row.value)?.phone_country);
    if (country) countries.set(Number(row.company_id), country);
  }
  return countries;
}

function installationCountry(): PhoneCountry {
  try {
    return phoneCountry(loadConfig().defaultCountry) ?? FALLBACK_COUNTRY;
  } catch {
    return phoneCountry(process.env.TESSERA_DEFAULT_COUNTRY) ?? FALLBACK_COUNTRY;
  }
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
