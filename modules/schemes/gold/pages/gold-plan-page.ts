import type { Container } from 'inversify';
import { attempt, formatMoney, HANDLED, parseAmount, requireId, type ModuleContext, type PageResult, type RedirectResult, type RequestContext } from 'tessera/core';
import { SCHEMES, SCHEMES_PERMISSIONS as P, type GoldPlanService } from '../../api';
import type { Ports } from '../../billing/billing-ports';
import { customerNames } from '../../crm/party-names';
import { MODES } from '../gold-ports';
import { sendLedgerCsv, sendLedgerPdf } from '../ledger-export';
import { readPlan } from '../plan-store';
import type { LedgerRow } from '../plan-view';
import type { Tier } from '../scheme-entity';

type Values = Record<string, string>;
type FormName = 'pay' | 'pause' | 'tier' | 'close' | 'redeem';

/** What a failed (or previewed) form brings back to the plan page: its values, errors beside its fields, a message. */
export interface FormState {
  form: FormName;
  values?: Values;
  errors?: Record<string, string>;
  message?: string;
  preview?: Record<string, any>;
}

const STATUS_BADGE: Record<string, string> = { paid: 'badge-success', late: 'badge-warning', missed: 'badge-danger', due: 'badge-info', upcoming: '', paused: 'badge-muted' };
const KIND_LABEL: Record<string, string> = { instalment: 'Instalment', bonus: 'Bonus', closed: 'Closed: handed to billing', redeemed: 'Redeemed: handed to billing' };

/** Milligrams as grams with three decimals, in integers (no float rounding on the page). */
export function grams(milli: number): string {
  const sign = milli < 0 ? '-' : '';
  const m = Math.abs(milli);
  return `${sign}${Math.floor(m / 1000)}.${String(m % 1000).padStart(3, '0')}`;
}

function currencyOf(ctx: RequestContext, companyId: number): string {
  return ctx.principal.companies?.find((c) => c.id === companyId)?.currency ?? 'EUR';
}

/**
 * The gold plan page (replaces the derived record page): schedule, ledger with running balance, bonus
 * so far, grams, ledger downloads, and one form per action, each shown only to who holds its permission.
 */
export function goldPlanPage(container: Container, ports: Ports) {
  return async (ctx: RequestContext, id: number, state?: FormState): Promise<PageResult> => {
    const gold = container.get<GoldPlanService>(SCHEMES.GoldPlans);
    const plan = await gold.get(ctx, id);
    const ledger = await gold.ledger(ctx, id);
    const scheme = await container.get<any>(SCHEMES.GoldSchemes).get(ctx, plan.scheme.id).catch(() => null);
    const tiers = ((scheme?.tiers ?? []) as Tier[]).filter((t) => t.code !== plan.tier);
    const customer = (await customerNames(ports, ctx, [plan.customer_id])).get(plan.customer_id) ?? { id: plan.customer_id, name: `#${plan.customer_id}`, phone: null };
    const open = plan.status !== 'closed' && plan.status !== 'redeemed';
    // A matured plan takes no more instalments or changes: it is closed or redeemed.
    const running = plan.status === 'active' || plan.status === 'paused';
    const errorsOf = (form: FormName) => (state?.form === form ? state.errors ?? {} : {});
    const valuesOf = (form: FormName) => (state?.form === form ? state.values ?? {} : {});
    return {
      view: 'schemes/gold-plan',
      title: `Gold plan #${plan.id}`,
      status: state?.errors && (Object.keys(state.errors).length || state.message) ? 422 : undefined,
      data: {
        plan,
        customer,
        grams: grams(Number(plan.grams_milli)),
        schedule: (plan.schedule as Array<Record<string, any>>).map((r) => ({ ...r, badge: STATUS_BADGE[r.status] ?? '' })),
        ledger: (ledger as LedgerRow[]).map((r) => ({ ...r, kindLabel: KIND_LABEL[r.kind] ?? r.kind, grams: r.grams_milli ? grams(r.grams_milli) : '' })),
        canPay: running && ctx.can(P.planPay),
        canPause: running && ctx.can(P.planPause),
        canChange: running && ctx.can(P.planChange) && tiers.length > 0,
        canClose: open && ctx.can(P.planClose),
        canRedeem: plan.status === 'matured' && ctx.can(P.planRedeem),
        modes: MODES.filter((m) => m !== 'online').map((m) => ({ value: m, label: m.replace('_', ' ') })),
        tiers: tiers.map((t) => ({ value: t.code, label: `${t.code} · ${t.name}` })),
        forms: {
          pay: { values: valuesOf('pay'), errors: errorsOf('pay'), message: state?.form === 'pay' ? state.message : '' },
          pause: { values: valuesOf('pause'), errors: errorsOf('pause'), message: state?.form === 'pause' ? state.message : '' },
          tier: { values: valuesOf('tier'), errors: errorsOf('tier'), message: state?.form === 'tier' ? state.message : '', preview: state?.form === 'tier' ? state.preview ?? null : null },
          close: { values: valuesOf('close'), errors: errorsOf('close'), message: state?.form === 'close' ? state.message : '' },
          redeem: { errors: errorsOf('redeem'), message: state?.form === 'redeem' ? state.message : '' },
        },
      },
    };
  };
}

/** The plan page's action routes and ledger downloads, each with its permission (the same as the JSON API's). */
export function registerGoldPlanActions(m: ModuleContext, container: Container, ports: Ports, gold: GoldPlanService): void {
  const page = goldPlanPage(container, ports);
  const base = '/schemes/gold-plans';
  const str = (body: Record<string, unknown>, key: string) => String(body[key] ?? '').trim();
  /** Runs an action: done, back to the plan with a message; refused, the page again with the errors beside the form's fields. */
  const act = async (ctx: RequestContext, id: number, form: FormName, values: Values, work: () => Promise<string>): Promise<PageResult | RedirectResult> => {
    const result = await attempt(work);
    if (result.ok) return { redirect: `${base}/${id}`, flash: { type: 'success', message: result.value } };
    const fieldErrors = Object.keys(result.errors).length > 0;
    return page(ctx, id, { form, values, errors: result.errors, message: fieldErrors ? '' : result.message });
  };
  const refuse = (ctx: RequestContext, id: number, form: FormName, values: Values, errors: Record<string, string>) => page(ctx, id, { form, values, errors });

  m.routes.page({
    method: 'POST', path: `${base}/:id/payments`, permission: P.planPay,
    handler: async (ctx, { params, body }) => {
      const id = requireId(params.id);
      const plan = await readPlan(ctx.db, id);
      const values = { amount: str(body, 'amount'), mode: str(body, 'mode'), reference: str(body, 'reference') };
      const amount = parseAmount(values.amount, currencyOf(ctx, plan.company_id));
      const errors: Record<string, string> = {};
      if (!amount || amount <= 0) errors.amount = 'must be a positive amount, e.g. 1000.00';
      if (!MODES.includes(values.mode as never) || values.mode === 'online') errors.mode = 'choose cash, card, bank or mobile money';
      if (!values.reference) errors.reference = 'required: the receipt or transaction reference';
      if (Object.keys(errors).length) return refuse(ctx, id, 'pay', values, errors);
      return act(ctx, id, 'pay', values, async () => {
        const paid = await gold.pay(ctx, id, { amount: amount as number, mode: values.mode as never, reference: values.reference });
        return paid.created === false ? `Payment ${values.reference} was already recorded` : `Payment ${values.reference} recorded for ${paid.month}`;
      });
    },
  });

  m.routes.page({
    method: 'POST', path: `${base}/:id/pause`, permission: P.planPause,
    handler: async (ctx, { params, body }) => {
      const id = requireId(params.id);
      const values = { months: str(body, 'months') };
      const months = /^\d{1,2}$/.test(values.months) ? Number(values.months) : NaN;
      if (!(months >= 1 && months <= 12)) return refuse(ctx, id, 'pause', values, { months: 'must be a whole number of months from 1 to 12' });
      return act(ctx, id, 'pause', values, async () => {
        const paused = await gold.pause(ctx, id, { months });
        return `Paused for ${months} month${months > 1 ? 's' : ''}; maturity is now ${paused.maturity_date}`;
      });
    },
  });

  m.routes.page({
    method: 'POST', path: `${base}/:id/change-tier`, permission: P.planChange,
    handler: async (ctx, { params, body }) => {
      const id = requireId(params.id);
      const values = { tier: str(body, 'tier') };
      if (!values.tier) return refuse(ctx, id, 'tier', values, { tier: 'choose the new tier' });
      // First the effect, shown beside a confirm button; only the confirmed post changes the plan.
      if (body.confirm !== '1') {
        const preview = await attempt(() => gold.previewTierChange(ctx, id, values.tier));
        if (!preview.ok) return page(ctx, id, { form: 'tier', values, errors: preview.errors, message: Object.keys(preview.errors).length ? '' : preview.message });
        return page(ctx, id, { form: 'tier', values, preview: preview.value });
      }
      return act(ctx, id, 'tier', values, async () => {
        await gold.changeTier(ctx, id, values.tier);
        return `Tier changed to ${values.tier} from the next instalment`;
      });
    },
  });

  m.routes.page({
    method: 'POST', path: `${base}/:id/close-code`, permission: P.planClose,
    handler: async (ctx, { params }) => {
      const id = requireId(params.id);
      return act(ctx, id, 'close', {}, async () => {
        const sent = await gold.sendCloseCode(ctx, id);
        return sent.sent ? "Close code sent to the customer's phone" : 'The close code could not be sent';
      });
    },
  });

  m.routes.page({
    method: 'POST', path: `${base}/:id/close`, permission: P.planClose,
    handler: async (ctx, { params, body }) => {
      const id = requireId(params.id);
      const values = { code: str(body, 'code'), closed_by: str(body, 'closed_by') };
      const errors: Record<string, string> = {};
      if (!/^\d{4,12}$/.test(values.code)) errors.code = 'type the code the customer received';
      if (values.closed_by && !/^\d{1,9}$/.test(values.closed_by)) errors.closed_by = 'must be a user number, or empty for you';
      if (Object.keys(errors).length) return refuse(ctx, id, 'close', values, errors);
      const plan = await readPlan(ctx.db, id);
      return act(ctx, id, 'close', values, async () => {
        const closed = await gold.close(ctx, id, { code: values.code, ...(values.closed_by ? { closed_by: Number(values.closed_by) } : {}) });
        return `Plan closed by code; ${formatMoney(Number(closed.value ?? 0), currencyOf(ctx, plan.company_id))} handed to billing as customer credit`;
      });
    },
  });

  m.routes.page({
    method: 'POST', path: `${base}/:id/redeem`, permission: P.planRedeem,
    handler: async (ctx, { params }) => {
      const id = requireId(params.id);
      return act(ctx, id, 'redeem', {}, async () => {
        await gold.redeem(ctx, id);
        return 'Plan redeemed: the value is a credit the customer spends on an invoice';
      });
    },
  });

  for (const format of ['csv', 'pdf'] as const) {
    m.routes.page({
      method: 'GET', path: `${base}/:id/ledger.${format}`, permission: P.planRead,
      handler: async (ctx, { params }, _req, res) => {
        const id = requireId(params.id);
        const rows = (await gold.ledger(ctx, id)) as LedgerRow[];
        if (format === 'csv') return sendLedgerCsv(res, id, rows);
        await sendLedgerPdf(ctx.db, res, await readPlan(ctx.db, id), rows);
        return HANDLED;
      },
    });
  }
}
