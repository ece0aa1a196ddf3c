import { formProblem, instantOfWallTime, requireId, text, type PageResult, type PageRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../../../crm/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';
import { campaignJson, CANCELLABLE, cancelCampaign, queueCampaign, type CampaignInput } from './campaigns';

const CAMPAIGNS = 'loyalty_card_campaigns';
const AUDIENCES = [
  { value: 'all', label: 'All card holders' },
  { value: 'group', label: 'A segment (a crm customer group)' },
  { value: 'customer', label: 'One customer' },
];
const AUDIENCE_LABEL: Record<string, string> = { all: 'All card holders', group: 'Segment', customer: 'One customer' };

function zoneOf(ctx: RequestContext): string {
  return ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.timezone ?? 'UTC';
}

async function formPage(ctx: RequestContext, values: Record<string, unknown>, errors: Record<string, string> = {}, message = '', status = 200): Promise<PageResult> {
  const groups = await ctx.container.get<CustomerGroupService>(CRM.CustomerGroups).list(ctx).catch(() => []);
  const templates = await ctx.db.query('loyalty_card_templates').orderBy('name').limit(500).select('id', 'name');
  return {
    view: 'loyalty/card-campaign-form',
    title: 'New campaign',
    status,
    data: {
      values, errors, message, audiences: AUDIENCES,
      groups: groups.map((g) => ({ value: String(g.id), label: g.name })),
      templates: templates.map((t: { id: number; name: string }) => ({ value: String(t.id), label: t.name })),
      sendAtHint: `Empty: now. Time in ${zoneOf(ctx)}.`,
    },
  };
}

/** A form's fields as the campaign service takes them; a field that cannot be read is named. */
function inputOf(ctx: RequestContext, body: Record<string, unknown>): { input: CampaignInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const id = (name: string): number | null => {
    const raw = text(body, name);
    if (raw === '') return null;
    if (!/^[1-9]\d{0,9}$/.test(raw)) errors[name] = 'is a number (an id)';
    return Number(raw);
  };
  const audience = text(body, 'audience') as CampaignInput['audience'];
  if (!AUDIENCES.some((a) => a.value === audience)) errors.audience = 'is all card holders, a segment or one customer';
  const input: CampaignInput = { audience, message: text(body, 'message'), group_id: id('group_id'), customer_id: id('customer_id'), template_id: id('template_id') };
  const when = text(body, 'send_at');
  if (when) {
    const at = instantOfWallTime(when, zoneOf(ctx));
    if (!at) errors.send_at = 'is a date and time (YYYY-MM-DDTHH:mm)';
    else input.send_at = at.toISOString();
  }
  return { input, errors };
}

/**
 * Back-office pages of campaigns: the list with each one's delivery counts, a form to send to all
 * card holders, a segment or one customer, now or at a chosen time, and a campaign's page, where one
 * not yet sent can be cancelled.
 */
export function campaignPages(): PageRoute[] {
  return [
    {
      method: 'GET', path: '/loyalty/card-campaigns', permission: P.campaignSend,
      handler: async (ctx) => {
        const rows = await ctx.db.query(CAMPAIGNS).orderBy('id', 'desc').limit(200);
        const campaigns = await Promise.all(rows.map(async (row: Record<string, unknown>) => {
          const c = await campaignJson(ctx, row);
          return { ...c, audienceLabel: AUDIENCE_LABEL[c.audience] ?? c.audience, excerpt: c.message.length > 80 ? `${c.message.slice(0, 79)}…` : c.message };
        }));
        return { view: 'loyalty/card-campaigns', title: 'Campaigns', data: { campaigns } };
      },
    },
    {
      method: 'GET', path: '/loyalty/card-campaigns/new', permission: P.campaignSend,
      handler: async (ctx, { query }) => formPage(ctx, { audience: 'all', customer_id: query.customer_id ? String(query.customer_id) : '' }),
    },
    {
      method: 'POST', path: '/loyalty/card-campaigns', permission: P.campaignSend,
      handler: async (ctx, { body }) => {
        const { input, errors } = inputOf(ctx, body);
        const typed = Object.fromEntries(['audience', 'group_id', 'customer_id', 'template_id', 'message', 'send_at'].map((k) => [k, text(body, k)]));
        if (Object.keys(errors).length) return formPage(ctx, typed, errors, 'Some values need fixing.', 422);
        try {
          const made = await queueCampaign(ctx, input);
          return { redirect: `/loyalty/card-campaigns/${made.id}`, flash: { type: 'success', message: made.send_at ? `Campaign scheduled for ${made.send_at}.` : 'Campaign queued: it is being sent.' } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return formPage(ctx, typed, problem.errors, problem.message, problem.status);
        }
      },
    },
    {
      method: 'GET', path: '/loyalty/card-campaigns/:id', permission: P.campaignSend,
      handler: async (ctx, { params }) => {
        const c = await campaignJson(ctx, await ctx.db.getById(CAMPAIGNS, requireId(params.id), 'Campaign'));
        const canCancel = ctx.can(P.campaignSend) && CANCELLABLE.includes(c.status);
        return { view: 'loyalty/card-campaign', title: `Campaign #${c.id}`, data: { campaign: { ...c, audienceLabel: AUDIENCE_LABEL[c.audience] ?? c.audience }, canCancel } };
      },
    },
    {
      // The page's cancel button (confirmed in the browser): a campaign already sending or sent says so.
      method: 'POST', path: '/loyalty/card-campaigns/:id/cancel', permission: P.campaignSend,
      handler: async (ctx, { params }) => {
        const id = requireId(params.id);
        try {
          await cancelCampaign(ctx, id);
          return { redirect: `/loyalty/card-campaigns/${id}`, flash: { type: 'success', message: `Campaign #${id} cancelled: nothing will be sent.` } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return { redirect: `/loyalty/card-campaigns/${id}`, flash: { type: 'error', message: problem.message } };
        }
      },
    },
  ];
}
