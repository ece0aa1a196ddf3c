import type { Container } from 'inversify';
import { NotFoundError, type PublicAccess, type PublicPageRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../../crm/api';
import { MESSAGING, type OtpService } from '../../../messaging/api';

const PURPOSE = 'loyalty.card.restore';
const CODE = /^[A-Za-z0-9]{2,16}$/;

/** The company whose restore page this is, by its code (printed at the counter); the SMS code is the secret. */
async function companyOf(access: PublicAccess, code: string): Promise<RequestContext> {
  if (!CODE.test(code)) throw new NotFoundError('Company');
  const row = await access.lookup("the restore page names its company by code; only a code sent to the holder's phone opens a card").table('core_companies').where({ code }).first('id');
  if (!row) throw new NotFoundError('Company');
  return access.asCompany(Number(row.id));
}

/** The card holder with this phone (crm's search reads it in E.164), and their newest active card's secret. */
async function holderOf(container: Container, ctx: RequestContext, phone: string): Promise<{ customerId: number; secret: string } | null> {
  if (phone.replace(/\D/g, '').length < 6) return null;
  const found = await container.get<CustomerService>(CRM.Customers).search(ctx, { q: phone }, { limit: 5 });
  for (const customer of found.data) {
    if (!customer.phone) continue;
    const card = await ctx.db.query('loyalty_cards').where({ customer_id: customer.id, status: 'active' }).orderBy('id', 'desc').first('secret');
    if (card) return { customerId: Number(customer.id), secret: String(card.secret) };
  }
  return null;
}

/**
 * A customer who lost their card's link asks for it by phone: a one-time code goes to that phone by
 * messaging, and the right code opens the card. The page answers alike whether or not the phone holds
 * a card, so it tells strangers nothing.
 */
export function restorePages(container: Container): PublicPageRoute[] {
  const reason = "a card holder who lost their card's link gets it back with a code sent to their phone";
  const otp = () => container.get<OtpService>(MESSAGING.Otp);
  const page = (company: string, data: Record<string, unknown>, status = 200) => ({ view: 'loyalty/card-restore', status, data: { company, ...data } });
  return [
    {
      method: 'GET', path: '/card-restore/:company', reason,
      handler: async (access, { params }) => {
        const ctx = await companyOf(access, params.company);
        return page(params.company, { name: ctx.principal.companies?.[0]?.name ?? '', step: 'phone' });
      },
    },
    {
      method: 'POST', path: '/card-restore/:company', reason,
      handler: async (access, { params, body }) => {
        const ctx = await companyOf(access, params.company);
        const phone = String(body.phone ?? '').trim();
        const name = ctx.principal.companies?.[0]?.name ?? '';
        if (!/^\+?[\d\s().\-/]{6,25}$/.test(phone)) return page(params.company, { name, step: 'phone', error: 'Phone is your phone number' }, 422);
        const holder = await holderOf(container, ctx, phone);
        if (holder) await otp().issue(ctx.db, { customerId: holder.customerId, purpose: PURPOSE, ref: `customer:${holder.customerId}` });
        return page(params.company, { name, step: 'code', phone });
      },
    },
    {
      method: 'POST', path: '/card-restore/:company/code', reason,
      handler: async (access, { params, body }) => {
        const ctx = await companyOf(access, params.company);
        const phone = String(body.phone ?? '').trim();
        const code = String(body.code ?? '').trim();
        const name = ctx.principal.companies?.[0]?.name ?? '';
        const holder = await holderOf(container, ctx, phone);
        const check = holder && /^\d{4,10}$/.test(code) ? await otp().verify(ctx.db, { customerId: holder.customerId, purpose: PURPOSE, ref: `customer:${holder.customerId}`, code }) : null;
        if (!holder || !check?.ok) return page(params.company, { name, step: 'code', phone, error: check?.reason === 'too_many_attempts' ? 'Code: too many tries; ask for a new code' : check?.reason === 'expired' ? 'Code has expired; ask for a new one' : 'Code is not the one we sent' }, 422);
        return { redirect: `/w/${holder.secret}` };
      },
    },
  ];
}
