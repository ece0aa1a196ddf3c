import type { Container } from 'inversify';
import { attempt, formatMoney, requireId, type EntityService, type ModuleContext, type PageOverride, type PagePart, type PageResult, type RedirectResult, type RequestContext } from 'tessera/core';
import { SCHEMES, SCHEMES_PERMISSIONS as P, type GoldPlanService } from '../../api';
import type { Ports } from '../../billing/billing-ports';
import { customerNames } from '../../crm/party-names';
import { localDay } from '../rules/gold-calendar';
import type { goldSchemeEntity, Tier } from '../scheme-entity';
import { goldPlanPage, grams } from './gold-plan-page';

type Values = Record<string, string>;

/** Scheme and tier chosen together (`<scheme id>:<tier code>`): tiers belong to their scheme. */
async function choices(container: Container, ctx: RequestContext): Promise<Array<{ value: string; label: string }>> {
  const currency = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
  const schemes = await container.get<any>(SCHEMES.GoldSchemes).page(ctx, { limit: 200 }).catch(() => ({ data: [] }));
  return (schemes.data as Array<{ id: number; name: string; active: boolean; tiers: Tier[] }>).filter((s) => s.active).flatMap((s) => (s.tiers ?? []).map((t) => ({ value: `${s.id}:${t.code}`, label: `${s.name} · ${t.code} (${t.name}): ${formatMoney(t.instalment, currency)} a month` })));
}

/**
 * Enrolment (the derived "new" and "create" replaced): scheme and tier picked from the company's
 * active schemes, the customer prefilled when coming from crm's customer page, errors beside the fields.
 */
export function goldPlanPageOverrides(container: Container, ports: Ports, zoneOf: (ctx: RequestContext) => Promise<string>): Partial<Record<PagePart, PageOverride>> {
  const form = async (ctx: RequestContext, values: Values, errors: Record<string, string> = {}, message = ''): Promise<PageResult> => {
    const customerId = Number(values.customer_id);
    const customer = Number.isSafeInteger(customerId) && customerId > 0 ? (await customerNames(ports, ctx, [customerId])).get(customerId) ?? null : null;
    const zone = await zoneOf(ctx);
    return {
      view: 'schemes/gold-enrol',
      title: 'Enrol in a gold scheme',
      status: Object.keys(errors).length || message ? 422 : undefined,
      data: { values: { start_month: localDay(new Date(), zone).slice(0, 7), ...values }, customer, errors, message, choices: await choices(container, ctx) },
    };
  };
  const plan = goldPlanPage(container, ports);
  // Read when a page is asked for: the service is bound after the entity that gives these pages.
  const gold = () => container.get<GoldPlanService>(SCHEMES.GoldPlans);
  return {
    new: { handler: async (ctx, { query }) => form(ctx, { customer_id: String(query.customer_id ?? '') }) },
    create: {
      handler: async (ctx, { body }) => {
        const values: Values = { customer_id: String(body.customer_id ?? '').trim(), choice: String(body.choice ?? ''), start_month: String(body.start_month ?? '').trim() };
        const errors: Record<string, string> = {};
        if (!/^\d{1,9}$/.test(values.customer_id)) errors.customer_id = 'type the customer number';
        const [scheme, tier] = values.choice.split(':');
        if (!/^\d+$/.test(scheme ?? '') || !tier) errors.choice = 'choose a scheme and tier';
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(values.start_month)) errors.start_month = 'must be a month YYYY-MM';
        if (Object.keys(errors).length) return form(ctx, values, errors);
        const result = await attempt(() => gold().enrol(ctx, { customer_id: Number(values.customer_id), scheme_id: Number(scheme), tier, start_month: values.start_month }));
        if (!result.ok) {
          // The service names scheme_id and tier; on this form they are one field.
          const { scheme_id: s, tier: t, ...rest } = result.errors;
          const mapped = { ...rest, ...(s || t ? { choice: [s, t].filter(Boolean).join('; ') } : {}) };
          return form(ctx, values, mapped, Object.keys(mapped).length ? '' : result.message);
        }
        return { redirect: `/schemes/gold-plans/${result.value.id}`, flash: { type: 'success', message: `Enrolled in gold plan #${result.value.id}` } };
      },
    },
    record: { handler: async (ctx, { params }) => plan(ctx, requireId(params.id)) },
    // Everything after enrolment goes through the plan page's actions, never an edit or a delete.
    update: false,
    remove: false,
  };
}

/** crm's customer page: the customer's gold plans and an Enrol button for who may enrol. */
export function registerCustomerGoldPanel(m: ModuleContext, gold: GoldPlanService): void {
  const schemes = () => m.container.get<EntityService<typeof goldSchemeEntity>>(SCHEMES.GoldSchemes);
  m.views.slot({
    slot: 'crm.customer.panels',
    template: 'schemes/customer-gold-plans',
    permission: P.planRead,
    data: async (ctx, page) => {
      const customerId = Number((page.customer as { id: number })?.id);
      const plans = await gold.plansOf(ctx, customerId);
      const names = await schemes().refTargets(ctx, plans.map((p: Record<string, any>) => Number(p.scheme_id)));
      return { customerId, plans: plans.map((p: Record<string, any>) => ({ ...p, scheme: names.get(Number(p.scheme_id))?.title ?? `#${p.scheme_id}`, grams: grams(Number(p.grams_milli)) })), canEnrol: ctx.can(P.planEnrol) };
    },
  });
}
