import { CORE, NotFoundError, ValidationError, type ApiRoute, type ModuleContext, type RequestContext, idSchema } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../../../crm/api';
import { MESSAGING, type NotificationCatalogue, type NotifyService } from '../../../messaging/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';

const CAMPAIGNS = 'loyalty_card_campaigns';
const CARDS = 'loyalty_cards';
export const CAMPAIGN = 'loyalty.card.campaign';
const JOB = 'card-campaign';

interface Contexts {
  systemInCompany(companyId: number): Promise<RequestContext>;
}

/** The customers holding an active card (of one template, when given), in batches by customer id. */
async function* holders(ctx: RequestContext, templateId: number | null): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const query = ctx.db.query(CARDS).where({ status: 'active' }).where('customer_id', '>', after).distinct('customer_id').orderBy('customer_id').limit(500);
    if (templateId) query.where({ template_id: templateId });
    const ids = (await query).map((r: any) => Number(r.customer_id));
    if (!ids.length) return;
    after = ids[ids.length - 1];
    yield ids;
  }
}

/** Sends a campaign: each customer once (`campaign:<id>:<customer>`), so a rerun of the job sends nothing twice. */
export async function sendCampaign(ctx: RequestContext, campaignId: number): Promise<number> {
  const campaign = await ctx.db.getById(CAMPAIGNS, campaignId, 'Campaign');
  const notify = ctx.container.get<NotifyService>(MESSAGING.Notify);
  const templateId = campaign.template_id == null ? null : Number(campaign.template_id);
  let sent = 0;
  const send = async (customerId: number) => {
    const records = await notify.send(ctx.db, { template: CAMPAIGN, customerId, data: { message: campaign.message }, dedupeKey: `campaign:${campaignId}:${customerId}` });
    if (records.some((r) => r.created)) sent++;
  };
  if (campaign.audience === 'customer') {
    await send(Number(campaign.customer_id));
  } else if (campaign.audience === 'all') {
    for await (const ids of holders(ctx, templateId)) for (const id of ids) await send(id);
  } else {
    // A segment: the group's members who hold a card.
    const groups = ctx.container.get<CustomerGroupService>(CRM.CustomerGroups);
    for await (const members of groups.streamMembers(ctx, Number(campaign.group_id), { batchSize: 500 })) {
      const ids = members.map((m) => Number(m.id));
      const query = ctx.db.query(CARDS).where({ status: 'active' }).whereIn('customer_id', ids).distinct('customer_id');
      if (templateId) query.where({ template_id: templateId });
      for (const row of await query) await send(Number(row.customer_id));
    }
  }
  await ctx.db.unscoped('the campaign read above').table(CAMPAIGNS).where({ id: campaignId }).update({ status: 'sent', sent: ctx.db.unscoped('counter').raw('sent + ?', [sent]), updated_at: new Date() });
  return sent;
}

export function campaignApi(): ApiRoute[] {
  return [{
    method: 'POST', path: '/card-campaigns', permission: P.campaignSend, summary: 'Send a message to all card holders, a crm group, or one customer', tags: ['Cards'], status: 202, idempotent: true,
    body: {
      type: 'object', required: ['audience', 'message'], additionalProperties: false,
      properties: {
        audience: { type: 'string', enum: ['all', 'group', 'customer'] },
        group_id: idSchema,
        customer_id: idSchema,
        template_id: { type: 'integer', minimum: 1, description: 'Only holders of this template\'s cards.' },
        message: { type: 'string', minLength: 1, maxLength: 1000 },
      },
    },
    handler: async (ctx, { body }) => {
      if (body.audience === 'group') {
        if (!body.group_id) throw new ValidationError({ group_id: 'is needed to send to a group' });
        await ctx.container.get<CustomerGroupService>(CRM.CustomerGroups).get(ctx, body.group_id).catch(() => { throw new ValidationError({ group_id: `group ${body.group_id} does not exist` }); });
      }
      if (body.audience === 'customer') {
        if (!body.customer_id) throw new ValidationError({ customer_id: 'is needed to send to one customer' });
        const card = await ctx.db.query(CARDS).where({ customer_id: body.customer_id }).first('id');
        if (!card) throw new ValidationError({ customer_id: `customer ${body.customer_id} holds no card` });
      }
      if (body.template_id) await ctx.db.getById('loyalty_card_templates', body.template_id, 'Card template').catch(() => { throw new NotFoundError('Card template'); });
      return ctx.db.transaction(async (db) => {
        const id = await db.insert(CAMPAIGNS, { audience: body.audience, group_id: body.group_id ?? null, customer_id: body.customer_id ?? null, template_id: body.template_id ?? null, message: body.message, status: 'queued', sent: 0 });
        const jobId = await db.enqueue(`loyalty.${JOB}`, { campaign_id: id }, { jobKey: `loyalty.${JOB}:${id}` });
        return { id, status: 'queued', job_id: jobId };
      });
    },
  }, {
    method: 'GET', path: '/card-campaigns/{id}', permission: P.campaignSend, summary: 'A campaign and how many it reached', tags: ['Cards'],
    params: { type: 'object', required: ['id'], properties: { id: idSchema } },
    handler: async (ctx, { params }) => {
      const row = await ctx.db.getById(CAMPAIGNS, Number(params.id), 'Campaign');
      return { id: Number(row.id), audience: row.audience, status: row.status, sent: Number(row.sent), message: row.message };
    },
  }];
}

export function registerCampaigns(m: ModuleContext): void {
  m.container.get<NotificationCatalogue>(MESSAGING.Catalogue).declare({
    key: CAMPAIGN, module: 'loyalty', label: 'Card campaign', channels: ['sms', 'email', 'whatsapp'],
    description: 'A message the shop sends its card holders.', sample: { message: 'Double stamps this weekend!' },
    defaults: { sms: { body: '{{message}}' }, email: { subject: '{{company.name}}', body: '{{message}}' }, whatsapp: { body: '{{message}}' } },
  });
  for (const route of campaignApi()) m.routes.api(route);
  m.jobs.define<{ campaign_id: number }>(JOB, async (job) => {
    const ctx = await m.container.get<Contexts>(CORE.Contexts).systemInCompany(Number(job.companyId));
    return { sent: await sendCampaign(ctx, Number(job.data.campaign_id)) };
  }, { attempts: 3 });
}
