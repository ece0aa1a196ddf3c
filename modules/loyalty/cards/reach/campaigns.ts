import type { Knex } from 'knex';
import { ConflictError, CORE, iso, isDuplicateKey, NotFoundError, ValidationError, type ApiRoute, type JobQueue, type ModuleContext, type RequestContext, idSchema } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../../../crm/api';
import { MESSAGING, MESSAGING_EVENTS, type NotificationCatalogue, type NotifyService } from '../../../messaging/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';

const CAMPAIGNS = 'loyalty_card_campaigns';
const CARDS = 'loyalty_cards';
const DELIVERED = 'loyalty_card_campaign_deliveries';
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

/** A campaign not yet picked up by its job: cancelling it is still possible. */
export const CANCELLABLE = ['scheduled', 'queued'];

/**
 * Sends a campaign: each customer once (`campaign:<id>:<customer>`), so a rerun of the job sends nothing
 * twice. The job first claims the campaign (`sending`) by a guarded update: a campaign cancelled before,
 * even with its job already queued, or already sent, is left alone and nothing goes out.
 */
export async function sendCampaign(ctx: RequestContext, campaignId: number): Promise<number> {
  const campaign = await ctx.db.getById(CAMPAIGNS, campaignId, 'Campaign');
  const claimed = await ctx.db.unscoped('the campaign read above, if still to send').table(CAMPAIGNS)
    .where({ id: campaignId }).whereIn('status', [...CANCELLABLE, 'sending'])
    .update({ status: 'sending', updated_at: new Date() });
  if (!claimed) return 0;
  const notify = ctx.container.get<NotifyService>(MESSAGING.Notify);
  const templateId = campaign.template_id == null ? null : Number(campaign.template_id);
  let sent = 0;
  let skipped = 0;
  const send = async (customerId: number) => {
    const records = await notify.send(ctx.db, { template: CAMPAIGN, customerId, data: { message: campaign.message }, dedupeKey: `campaign:${campaignId}:${customerId}` });
    const created = records.filter((r) => r.created);
    if (created.some((r) => r.status !== 'skipped')) sent++;
    else if (created.length) skipped++;
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
  await ctx.db.unscoped('the campaign claimed above').table(CAMPAIGNS).where({ id: campaignId, status: 'sending' }).update({ status: 'sent', sent: ctx.db.unscoped('counter').raw('sent + ?', [sent]), skipped: ctx.db.unscoped('counter').raw('skipped + ?', [skipped]), sent_at: new Date(), updated_at: new Date() });
  return sent;
}

/**
 * Cancels a campaign before its job sends it: one guarded update (`status` still scheduled or queued), so a
 * job that claimed it first wins and the cancel is refused, 409 naming the status. Cancelling a cancelled
 * campaign answers it again (idempotent). Its waiting job is completed unrun in the same transaction; a job
 * already handed to a worker finds the campaign cancelled and does nothing (`sendCampaign`).
 */
export async function cancelCampaign(ctx: RequestContext, campaignId: number): Promise<Record<string, any>> {
  const row = await ctx.db.getById<Record<string, any>>(CAMPAIGNS, campaignId, 'Campaign');
  const now = new Date();
  const done = await ctx.db.transaction(async (db) => {
    const trx = db.unscoped('the campaign read above, in this transaction') as Knex.Transaction;
    const updated = await trx(CAMPAIGNS).where({ id: row.id }).whereIn('status', CANCELLABLE)
      .update({ status: 'cancelled', cancelled_at: now, cancelled_by: ctx.principal.userId ?? null, updated_at: now });
    if (updated) await ctx.container.get<JobQueue>(CORE.JobQueue).settle([jobKeyOf(campaignId)], { companyId: Number(row.company_id), trx, result: { cancelled: true } });
    return updated;
  });
  const after = await ctx.db.getById<Record<string, any>>(CAMPAIGNS, campaignId, 'Campaign');
  if (!done && after.status !== 'cancelled') {
    throw new ConflictError(`Campaign ${campaignId} is ${after.status}: only a scheduled campaign can be cancelled`, { status: `is ${after.status}` }, 'campaign_not_cancellable');
  }
  return after;
}

const jobKeyOf = (campaignId: number) => `loyalty.${JOB}:${campaignId}`;

export interface CampaignInput {
  audience: 'all' | 'group' | 'customer';
  group_id?: number | null;
  customer_id?: number | null;
  template_id?: number | null;
  message: string;
  /** When to send (ISO 8601); now when left out or past. */
  send_at?: string | null;
}

/**
 * Records a campaign and queues its sending job, now or delayed to `send_at`, in one transaction.
 * Every refusal names its field (422); the API and the back-office form both come here.
 */
export async function queueCampaign(ctx: RequestContext, body: CampaignInput): Promise<{ id: number; status: string; job_id: string; send_at: string | null }> {
  const errors: Record<string, string> = {};
  if (!['all', 'group', 'customer'].includes(body.audience)) errors.audience = 'is all, group or customer';
  const message = String(body.message ?? '').trim();
  if (!message) errors.message = 'is needed: the text the customers receive';
  else if (message.length > 1000) errors.message = 'is at most 1000 characters';
  let sendAt: Date | null = null;
  if (body.send_at) {
    sendAt = new Date(body.send_at);
    if (Number.isNaN(sendAt.getTime())) errors.send_at = 'is a date and time (ISO 8601)';
    else if (sendAt.getTime() > Date.now() + 366 * 86_400_000) errors.send_at = 'is within a year';
    else if (sendAt.getTime() <= Date.now()) sendAt = null;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
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
    const status = sendAt ? 'scheduled' : 'queued';
    const id = await db.insert(CAMPAIGNS, { audience: body.audience, group_id: body.audience === 'group' ? body.group_id : null, customer_id: body.audience === 'customer' ? body.customer_id : null, template_id: body.template_id ?? null, message, status, sent: 0, skipped: 0, send_at: sendAt });
    const jobId = await db.enqueue(`loyalty.${JOB}`, { campaign_id: id }, { jobKey: jobKeyOf(id), ...(sendAt ? { delayMs: sendAt.getTime() - Date.now() } : {}) });
    return { id, status, job_id: jobId, send_at: sendAt ? sendAt.toISOString() : null };
  });
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
        send_at: { type: 'string', format: 'date-time', description: 'When to send; now when left out.' },
      },
    },
    handler: async (ctx, { body }) => queueCampaign(ctx, body),
  }, {
    method: 'POST', path: '/card-campaigns/{id}/cancel', permission: P.campaignSend, tags: ['Cards'],
    summary: 'Cancel a campaign before it is sent (scheduled or queued); 409 naming the status once sending or sent; again: the same answer',
    params: { type: 'object', required: ['id'], properties: { id: idSchema } },
    handler: async (ctx, { params }) => campaignJson(ctx, await cancelCampaign(ctx, Number(params.id))),
  }, {
    method: 'GET', path: '/card-campaigns/{id}', permission: P.campaignSend, summary: 'A campaign and how many it reached', tags: ['Cards'],
    params: { type: 'object', required: ['id'], properties: { id: idSchema } },
    handler: async (ctx, { params }) => {
      return campaignJson(ctx, await ctx.db.getById(CAMPAIGNS, Number(params.id), 'Campaign'));
    },
  }];
}

/** A campaign as the API and pages show it, with its delivery counts. */
export async function campaignJson(ctx: RequestContext, row: Record<string, any>) {
  const delivered = await ctx.db.query(DELIVERED).where({ campaign_id: row.id }).count({ n: '*' }).first();
  return {
    id: Number(row.id), audience: String(row.audience), group_id: row.group_id == null ? null : Number(row.group_id), customer_id: row.customer_id == null ? null : Number(row.customer_id),
    template_id: row.template_id == null ? null : Number(row.template_id), status: String(row.status), message: String(row.message),
    send_at: iso(row.send_at), sent_at: iso(row.sent_at), cancelled_at: iso(row.cancelled_at), created_at: iso(row.created_at),
    sent: Number(row.sent), skipped: Number(row.skipped ?? 0), delivered: Number(delivered?.n ?? 0),
  };
}

/**
 * Counts a campaign's notification once delivered (`campaign:<id>:<customer>` dedupe keys). Only campaign
 * notifications are recorded for this handler (`only`): every other delivery would cost an outbox job.
 */
function countDeliveries(m: ModuleContext): void {
  m.events.on(MESSAGING_EVENTS.notificationDelivered, async ({ db, event }) => {
    // Messaging keeps our key inside its own (`<notification>:<our key>:<channel>`).
    const match = /(?:^|:)campaign:(\d+):\d+(?::|$)/.exec(String(event.payload.dedupe_key ?? ''));
    if (!match) return;
    const campaign = await db.queryCompany(event.companyId, CAMPAIGNS).where({ id: Number(match[1]) }).first('id');
    if (!campaign) return;
    try {
      await db.unscoped('a delivery row of the campaign read above').table(DELIVERED).insert({ company_id: event.companyId, campaign_id: Number(campaign.id), notification_id: event.payload.notification_id, created_at: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }, { mode: 'outbox', name: 'loyalty.card-campaigns.delivered', only: (payload) => payload.event === CAMPAIGN });
}

export function registerCampaigns(m: ModuleContext): void {
  countDeliveries(m);
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
