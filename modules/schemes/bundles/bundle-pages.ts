import type { Container } from 'inversify';
import { ValidationError, attempt, type EntityService, type PageOverride, type PagePart, type PageResult, type RequestContext } from 'tessera/core';
import { SCHEMES, SCHEMES_PERMISSIONS } from '../api';
import type { Ports } from '../billing/billing-ports';
import type { bundleEntity, Bundle } from './bundle-entity';

type Values = Record<string, unknown>;
type Bundles = EntityService<typeof bundleEntity>;

function ids(value: unknown): number[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
}

/** The form's values as the entity takes them: the trigger typed in days or in weeks (× 7). */
export function bundleInput(body: Values): { input: Values; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const count = String(body.trigger_count ?? '').trim();
  const unit = body.trigger_unit === 'weeks' ? 7 : 1;
  const trigger = /^\d{1,3}$/.test(count) ? Number(count) * unit : NaN;
  if (Number.isNaN(trigger)) errors.trigger_days = 'must be a whole number of days or weeks';
  const reward = String(body.reward_days ?? '').trim();
  const input: Values = {
    name: String(body.name ?? '').trim(),
    journal_id: Number(body.journal_id) || null,
    trigger_days: trigger,
    reward_days: /^\d{1,3}$/.test(reward) ? Number(reward) : reward,
    type: String(body.type ?? ''),
    payment_journal_ids: ids(body.payment_journal_ids),
    group_ids: ids(body.group_ids),
    active: body.active === '1' || body.active === 'on',
    valid_from: String(body.valid_from ?? '').trim() || null,
    valid_to: String(body.valid_to ?? '').trim() || null,
  };
  if (errors.trigger_days) delete input.trigger_days;
  return { input, errors };
}

/**
 * The bundle form, hand-written where the derived one cannot say it: journals and groups picked from
 * billing's and crm's lists, the trigger typed in days or weeks. List and API stay derived.
 */
export function bundlePageOverrides(container: Container, ports: Ports): Partial<Record<PagePart, PageOverride>> {
  const service = () => container.get<Bundles>(SCHEMES.Bundles);

  const form = async (ctx: RequestContext, bundle: Bundle | null, values: Values, errors: Record<string, string> = {}): Promise<PageResult> => {
    const journals = await ports.journals(ctx, Number(bundle?.company_id ?? ctx.companyId));
    const groups = (await ports.groups().list(ctx)).filter((g) => g.company_id === Number(bundle?.company_id ?? ctx.companyId));
    const chosenGroups = ids(values.group_ids);
    const chosenJournals = ids(values.payment_journal_ids);
    const trigger = Number(values.trigger_days);
    const inWeeks = values.trigger_unit === 'weeks' || (!values.trigger_count && trigger > 0 && trigger % 7 === 0);
    const failed = Object.keys(errors).length > 0;
    return {
      view: 'schemes/bundle-form',
      title: bundle ? `Edit ${bundle.name}` : 'New bonus bundle',
      status: failed ? 422 : 200,
      data: {
        bundle,
        canManage: ctx.can(SCHEMES_PERMISSIONS.bundleManage),
        values: { ...values, trigger_count: values.trigger_count ?? (trigger > 0 ? (inWeeks ? trigger / 7 : trigger) : ''), active: values.active ?? true },
        errors,
        formError: failed ? 'Please correct the fields marked below.' : null,
        unitOptions: [
          { value: 'days', label: 'days', selected: !inWeeks },
          { value: 'weeks', label: 'weeks (× 7 days)', selected: inWeeks },
        ],
        typeOptions: [
          { value: 'ontime_only', label: 'Ontime only bonus: free days, the amount owed is unchanged' },
          { value: 'cash_discount', label: 'Bundle (cash discount): a credit note on the latest outstanding invoice' },
        ],
        discountJournals: journals.filter((j) => j.kind === 'discount').map((j) => ({ value: j.id, label: `${j.name} (${j.code})` })),
        paymentJournals: journals.filter((j) => j.kind !== 'discount' && j.kind !== 'sale').map((j) => ({ id: j.id, label: `${j.name} (${j.code})`, checked: chosenJournals.includes(j.id) })),
        groupChoices: groups.map((g) => ({ id: g.id, name: g.name, type: g.type === 'shop' ? 'by shop' : 'by customer', checked: chosenGroups.includes(g.id) })),
      },
    };
  };

  const save = async (ctx: RequestContext, body: Values, bundle: Bundle | null) => {
    const { input, errors } = bundleInput(body);
    const shown = { ...input, trigger_count: body.trigger_count, trigger_unit: body.trigger_unit };
    if (Object.keys(errors).length) return form(ctx, bundle, shown, errors);
    const result = await attempt(() => (bundle ? service().update(ctx, bundle.id, input as any) : service().create(ctx, input as any)));
    if (!result.ok) return form(ctx, bundle, shown, result.errors);
    return { redirect: `/crm/bundles/${result.value.id}`, flash: { type: 'success' as const, message: `Bonus bundle ${result.value.name} saved` } };
  };

  return {
    new: { handler: async (ctx) => form(ctx, null, { type: 'ontime_only', active: true }) },
    create: { handler: async (ctx, { body }) => save(ctx, body, null) },
    record: {
      handler: async (ctx, { params }) => {
        const bundle = await service().get(ctx, Number(params.id));
        return form(ctx, bundle, { ...bundle });
      },
    },
    update: {
      handler: async (ctx, { params, body }) => {
        const bundle = await service().get(ctx, Number(params.id));
        if (!ctx.can(SCHEMES_PERMISSIONS.bundleManage)) throw new ValidationError({ bundle: 'you may not change bundles' });
        return save(ctx, body, bundle);
      },
    },
  };
}
