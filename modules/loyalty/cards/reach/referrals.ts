import crypto from 'node:crypto';
import type { Container } from 'inversify';
import { CORE, isDuplicateKey, NotFoundError, ValidationError, type EntityService, type RequestContext, type ScopedDb } from 'tessera/core';
import { CRM, type CustomerService } from '../../../crm/api';
import type { CardTransactions } from '../card-transactions';
import type { CardRequest } from '../card-moves';

const CARDS = 'loyalty_cards';
const PROGRAMS = 'loyalty_referral_programs';
const LINKS = 'loyalty_referral_links';
const REFERRALS = 'loyalty_referrals';
export const REWARD_JOB = 'referral-reward';
export const TOKEN = /^[A-Za-z0-9_-]{24}$/;

interface Contexts {
  systemInCompany(companyId: number): Promise<RequestContext>;
}

/** The card's referral link, made on first ask: an unguessable token of its own (the card's secret opens the card). */
export async function referralLink(db: ScopedDb, cardId: number): Promise<{ token: string; path: string }> {
  const card = await db.getById(CARDS, cardId, 'Card');
  const knex = db.unscoped('the referral link of a card read above in its company');
  let row = await knex(LINKS).where({ card_id: cardId }).first('token');
  if (!row) {
    try {
      await knex(LINKS).insert({ company_id: Number(card.company_id), card_id: cardId, token: crypto.randomBytes(18).toString('base64url'), created_at: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    row = await knex(LINKS).where({ card_id: cardId }).first('token');
  }
  return { token: String(row.token), path: `/r/${row.token}` };
}

export interface SignUp {
  name: string;
  phone: string;
}

/**
 * A new customer signs up through a referrer's link: refused when the phone is already a customer's of
 * the company (crm's search reads it in E.164; crm's one-phone rule settles a race), else the customer,
 * their card of the referrer's template and the referral (one per customer) are made. Returns the new card's secret.
 */
export async function signUp(container: Container, cards: () => EntityService<any>, ctx: RequestContext, referrer: Record<string, any>, input: SignUp): Promise<string> {
  const name = String(input.name ?? '').trim().replace(/\s+/g, ' ');
  const phone = String(input.phone ?? '').trim();
  const errors: Record<string, string> = {};
  if (name.length < 2 || name.length > 120) errors.name = 'is your name, 2 to 120 characters';
  if (!/^\+?[\d\s().\-/]{6,25}$/.test(phone) || phone.replace(/\D/g, '').length < 6) errors.phone = 'is your phone number';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const program = await ctx.db.query(PROGRAMS).where({ template_id: referrer.template_id, active: true }).first('id');
  if (!program) throw new NotFoundError('Referral program');
  const customers = container.get<CustomerService>(CRM.Customers);
  const notNew = () => new ValidationError({ phone: 'is already a customer of ours: referrals welcome new customers' });
  const known = await customers.search(ctx, { q: phone }, { limit: 5 });
  if (known.data.some((c: any) => c.phone)) throw notNew();
  const [first, ...rest] = name.split(' ');
  const referrerCustomer = await customers.get(ctx, Number(referrer.customer_id));
  let customerId: number;
  try {
    customerId = (await customers.create(ctx, { first_name: rest.length ? first : null, last_name: rest.length ? rest.join(' ') : first, phone, shop_id: referrer.shop_id ?? referrerCustomer.shop_id })).id;
  } catch (error) {
    if (error instanceof ValidationError && (error as any).fields?.phone) throw /already/.test(String((error as any).fields.phone)) ? notNew() : error;
    throw error;
  }
  const card = await cards().create(ctx, { template_id: Number(referrer.template_id), customer_id: customerId, shop_id: referrer.shop_id ?? null });
  await ctx.db.unscoped('a referral between two cards of this company').table(REFERRALS).insert({
    company_id: Number(referrer.company_id), referrer_card_id: Number(referrer.id), referee_customer_id: customerId, referee_card_id: Number(card.id), status: 'pending', created_at: new Date(),
  });
  const row = await ctx.db.query(CARDS).where({ id: card.id }).first('secret');
  return String(row.secret);
}

/**
 * The referee's card was installed or visited: when that is the program's moment, the reward is queued
 * (a job, since the scanner's transactions open their own database transaction).
 */
export async function referralMoment(db: ScopedDb, companyId: number, cardId: number, moment: 'installed' | 'first_visit'): Promise<boolean> {
  const referral = await db.queryCompany(companyId, REFERRALS).where({ referee_card_id: cardId, status: 'pending' }).first('id', 'referrer_card_id');
  if (!referral) return false;
  const referrer = await db.queryCompany(companyId, CARDS).where({ id: referral.referrer_card_id }).first('template_id');
  const program = referrer && (await db.queryCompany(companyId, PROGRAMS).where({ template_id: referrer.template_id, active: true }).first('trigger'));
  if (!program || program.trigger !== moment) return false;
  await db.enqueue(`loyalty.${REWARD_JOB}`, { referral_id: Number(referral.id) }, { jobKey: `loyalty.${REWARD_JOB}:${referral.id}`, companyId, attempts: 5 });
  return true;
}

function giftOf(type: string, n: number): CardRequest {
  return type === 'cashback' || type === 'certificate' ? { action: 'gift', amount: n } : { action: 'gift', count: n };
}

/** Rewards a referral: each gift has a key of its own, so a rerun gives nothing twice. */
export async function rewardReferral(container: Container, moves: CardTransactions, companyId: number, referralId: number): Promise<string> {
  const ctx = await container.get<Contexts>(CORE.Contexts).systemInCompany(companyId);
  const referral = await ctx.db.query(REFERRALS).where({ id: referralId }).first();
  if (!referral || referral.status !== 'pending') return 'nothing to do';
  const referrer = await ctx.db.query(CARDS).where({ id: referral.referrer_card_id }).first('id', 'type', 'template_id');
  const referee = await ctx.db.query(CARDS).where({ id: referral.referee_card_id }).first('id', 'type');
  const program = await ctx.db.query(PROGRAMS).where({ template_id: referrer.template_id }).first();
  if (['referrer', 'both'].includes(program.reward_to) && Number(program.referrer_reward) > 0) {
    await moves.transact(ctx, Number(referrer.id), `referral:${referralId}:referrer`, giftOf(referrer.type, Number(program.referrer_reward)));
  }
  if (['referee', 'both'].includes(program.reward_to) && Number(program.referee_reward) > 0) {
    await moves.transact(ctx, Number(referee.id), `referral:${referralId}:referee`, giftOf(referee.type, Number(program.referee_reward)));
  }
  await ctx.db.unscoped('the referral read above').table(REFERRALS).where({ id: referralId, status: 'pending' }).update({ status: 'rewarded', rewarded_at: new Date() });
  return 'rewarded';
}
