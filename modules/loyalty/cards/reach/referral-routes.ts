import type { Container } from 'inversify';
import { NotFoundError, ValidationError, type ApiRoute, type EntityService, type ModuleContext, type PublicAccess, type PublicPageRoute, idSchema } from 'tessera/core';
import { LOYALTY_CARD_EVENTS, LOYALTY_PERMISSIONS as P } from '../../api';
import type { CardTransactions } from '../card-transactions';
import { referralLink, referralMoment, REWARD_JOB, rewardReferral, signUp, TOKEN } from './referrals';
import { reachableCard } from '../shop-scope';

/** The referrer's card a link's token names, or a 404 that says nothing of why. */
async function referrerOf(access: PublicAccess, token: string): Promise<Record<string, any>> {
  if (!TOKEN.test(token)) throw new NotFoundError('Referral link');
  const db = access.lookup('a referral link is found by its unguessable token, in whichever company issued the card');
  const link = await db('loyalty_referral_links').where({ token }).first('card_id', 'company_id');
  const card = link && (await db('loyalty_cards').where({ id: link.card_id, company_id: link.company_id }).first());
  if (!card) throw new NotFoundError('Referral link');
  return card;
}

/** The referral link's public pages: the sign-up form and its answer (the new customer's own web card). */
export function referralPages(container: Container, cards: () => EntityService<any>): PublicPageRoute[] {
  const reason = 'a new customer signs up from the link a customer shared; the token in the path names the referring card';
  const form = async (access: PublicAccess, token: string, extra: Record<string, unknown> = {}, status = 200) => {
    const card = await referrerOf(access, token);
    const ctx = await access.asCompany(Number(card.company_id));
    return { view: 'loyalty/referral-signup', status, data: { token, company: ctx.principal.companies?.[0]?.name ?? '', ...extra } };
  };
  return [
    { method: 'GET', path: '/r/:token', reason, handler: (access, { params }) => form(access, params.token) },
    {
      method: 'POST', path: '/r/:token', reason,
      handler: async (access, { params, body }) => {
        const referrer = await referrerOf(access, params.token);
        const ctx = await access.asCompany(Number(referrer.company_id));
        try {
          const secret = await signUp(container, cards, ctx, referrer, { name: String(body.name ?? ''), phone: String(body.phone ?? '') });
          return { redirect: `/w/${secret}` };
        } catch (error) {
          if (error instanceof ValidationError) return form(access, params.token, { errors: (error as any).fields ?? {}, name: body.name, phone: body.phone }, 422);
          throw error;
        }
      },
    },
  ];
}

export function referralApi(): ApiRoute[] {
  return [{
    method: 'GET', path: '/cards/{id}/referral-link', permission: P.cardRead, summary: "The card's referral link (made on first ask)", tags: ['Cards'],
    params: { type: 'object', required: ['id'], properties: { id: idSchema } },
    handler: async (ctx, { params }) => referralLink(ctx.db, (await reachableCard(ctx, Number(params.id))).id),
  }];
}

/** The moments that reward a referral (the new card installed, its first visit), and the reward job. */
export function registerReferralRewards(m: ModuleContext, moves: CardTransactions): void {
  m.events.on(LOYALTY_CARD_EVENTS.installed, async ({ db, event }) => {
    await referralMoment(db, event.companyId, event.payload.card_id, 'installed');
  }, { mode: 'outbox', name: 'loyalty.referrals.installed' });
  m.events.on(LOYALTY_CARD_EVENTS.transaction, async ({ db, event }) => {
    // A gift (the referral's own reward) is not a visit.
    if (event.payload.action === 'gift') return;
    await referralMoment(db, event.companyId, event.payload.card_id, 'first_visit');
  }, { mode: 'outbox', name: 'loyalty.referrals.visit' });
  m.jobs.define<{ referral_id: number }>(REWARD_JOB, async (job) => ({ outcome: await rewardReferral(m.container, moves, Number(job.companyId), Number(job.data.referral_id)) }), { attempts: 5 });
}
