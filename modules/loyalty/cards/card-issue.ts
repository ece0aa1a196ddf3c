import type { Container } from 'inversify';
import { dayIn, ValidationError, type EntityHooks, type EntityService, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { LOYALTY_CARD_EVENTS } from '../api';
import { cardNumber, cardSecret } from './card-number';
import { validUntil, type Card } from './card-entity';
import { membershipEnds } from './rules/pass-rules';
import { mayReachShop } from './shop-scope';
import type { CardTemplate } from './template-entity';
import type { CardType, RulesOf } from './template-rules';

/** The company's calendar day now, where its people work. */
export function companyToday(ctx: RequestContext, companyId = ctx.companyId): string {
  const zone = ctx.principal.companies?.find((c) => c.id === companyId)?.timezone ?? 'UTC';
  return dayIn(new Date(), zone);
}

/** What a new card of the template holds on its first day: its uses, its money, its membership. */
export function openingState(template: CardTemplate, today: string): Record<string, unknown> {
  const type = template.type as CardType;
  const rules = template.rules as unknown as RulesOf<CardType>;
  switch (type) {
    case 'multipass':
      return { uses_left: (rules as RulesOf<'multipass'>).uses };
    case 'certificate':
      return { balance: (rules as RulesOf<'certificate'>).amount };
    case 'membership': {
      const m = rules as RulesOf<'membership'>;
      return { membership_ends: membershipEnds(today, m.period, m.count) };
    }
    default:
      return {};
  }
}

/**
 * Issuing a card: the template must be this company's and active, the customer crm's; the number
 * comes from the company's gap-free sequence with a check digit, the secret is random, and the
 * opening state and validity follow the template.
 */
export function cardHooks(container: Container, templates: () => EntityService<any>): EntityHooks<Card> {
  return {
    async beforeCreate(ctx, values) {
      const companyId = Number(values.company_id ?? ctx.companyId);
      const template = (await templates().get(ctx, Number(values.template_id)).catch(() => null)) as CardTemplate | null;
      const errors: Record<string, string> = {};
      if (!template || Number(template.company_id) !== companyId) errors.template_id = `card template ${values.template_id} does not exist`;
      else if (!template.active) errors.template_id = `card template "${template.name}" is not active`;
      const customer = await container.get<CustomerService>(CRM.Customers).get(ctx, Number(values.customer_id)).catch(() => null);
      if (!customer || Number(customer.company_id) !== companyId) errors.customer_id = `customer ${values.customer_id} does not exist`;
      // A manager limited to shops issues to their shops' customers only, at one of their shops.
      const shopId = values.shop_id ?? customer?.shop_id ?? null;
      if (customer && !errors.customer_id && !(await mayReachShop(ctx, customer.shop_id))) errors.customer_id = `customer ${values.customer_id} does not exist`;
      else if (!(await mayReachShop(ctx, shopId))) errors.shop_id = 'is not one of your shops';
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const today = companyToday(ctx, companyId);
      const seq = await ctx.db.nextNumber('loyalty.card', companyId);
      return {
        type: template!.type,
        number: cardNumber(seq),
        secret: cardSecret(),
        shop_id: shopId,
        valid_until: values.valid_until ?? validUntil(template!, today),
        ...openingState(template!, today),
      };
    },
    // Published in the issuer's transaction: integrators and referrals hear of the card only if it exists.
    async afterWrite(ctx, { action, row }) {
      if (action !== 'create' || !row) return;
      await ctx.db.publish(LOYALTY_CARD_EVENTS.issued, {
        card_id: Number(row.id), customer_id: Number(row.customer_id), template_id: Number(row.template_id),
        type: String(row.type), number: String(row.number), shop_id: row.shop_id == null ? null : Number(row.shop_id),
      }, Number(row.company_id));
    },
    async beforeUpdate(_ctx, changes) {
      const fixed = ['template_id', 'customer_id'].filter((k) => k in changes);
      if (fixed.length) throw new ValidationError(Object.fromEntries(fixed.map((k) => [k, 'cannot change once the card is issued: issue a new card'])));
      return {};
    },
  };
}
