import type { Knex } from 'knex';
import { columnsOf } from './customers/customer-service';

const FIRST = ['Amara', 'Lucas', 'Sofia', 'Jonas', 'Mei', 'Ines', 'Noah', 'Lea', 'Hugo', 'Chloe', 'Omar', 'Yuki', 'Paul', 'Zoe', 'Ravi', 'Nina', 'Emil', 'Sara', 'Ivan', 'Lina'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Rossi', 'Weber', 'Okafor', 'Chen', 'Garcia', 'Novak', 'Leroy', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre', 'Fontaine', 'Girard', 'Rousseau', 'Blanc', 'Faure'];
const TAGS = ['vip', 'newsletter', 'wholesale', 'local'];
const CHUNK = 500;
const DAY_MS = 86_400_000;

/**
 * `tessera demo --scale N`: N more customers for lists, paging and charts at size. Written in chunks
 * straight to the table (search columns included, through the service's own column mapping), not one
 * service call each: a hundred thousand customers take seconds, not an hour. Codes, e-mails and phones
 * continue from the highest id, so running it again adds more without colliding.
 */
export async function seedCustomersAtScale(trx: Knex.Transaction, companyId: number, shopIds: number[], count: number): Promise<void> {
  const row = (await trx('crm_customers').max({ top: 'id' }).first()) as { top: number | null } | undefined;
  const start = Number(row?.top ?? 0) + 1;
  const now = Date.now();
  for (let from = 0; from < count; from += CHUNK) {
    const rows: Array<Record<string, unknown>> = [];
    const n = Math.min(CHUNK, count - from);
    for (let k = 0; k < n; k += 1) {
      const i = start + from + k;
      const first = FIRST[i % FIRST.length];
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
      const phone = `+336${String(10_000_000 + i).slice(-8)}`;
      const born = new Date(Date.UTC(1950 + (i % 55), i % 12, 1 + (i % 28))).toISOString().slice(0, 10);
      // Spread over the last 60 days, so the home page's chart of new customers has a shape.
      const created = new Date(now - (i % 60) * DAY_MS - (i % 997) * 60_000);
      const columns = columnsOf({ code: `D${String(i).padStart(7, '0')}`, first_name: first, last_name: last, phone, email: `${first}.${last}.${i}@example.com`.toLowerCase(), birthdate: born, shop_id: shopIds[i % shopIds.length], classification: i % 5 === 0 ? 'wholesale' : 'retail', delivery_route: `R${(i % 4) + 1}` });
      rows.push({ ...columns, owned_phone_norm: columns.phone_norm, company_id: companyId, created_at: created, updated_at: created });
    }
    await trx.batchInsert('crm_customers', rows, CHUNK);
    const ids = (await trx('crm_customers').where('company_id', companyId).whereIn('code', rows.map((r) => String(r.code))).select('id', 'code')) as Array<{ id: number; code: string }>;
    const tags = ids.filter((r) => Number(r.id) % 3 === 0).map((r) => ({ company_id: companyId, customer_id: r.id, tag: TAGS[Number(r.id) % TAGS.length] }));
    if (tags.length) await trx.batchInsert('crm_customer_tags', tags, CHUNK);
  }
}
