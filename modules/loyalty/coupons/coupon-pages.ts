import { AppError, formatAmount, requireId, text, type ModuleContext, type PageRoute, type RequestContext } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { BATCHES, getBatch, INLINE_LIMIT, MAX_BATCH, startBatch } from './coupon-batches';
import { sendCsv } from './coupon-api';
import { CODES_TABLE } from './coupon-codes';
import type { CouponRedemptions } from './coupon-redemptions';
import { REDEMPTIONS } from './coupon-redemptions';
import { codesCsv, couponUse } from './coupon-report';
import { calendarDay, companyZone } from './coupon-rules';

type Row = Record<string, any>;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DOC_PATHS: Record<string, string> = { invoice: 'invoices', order: 'orders' };

/**
 * The coupons' own pages beside the derived list and form: batch generation (with a progress page
 * for the large ones), the codes' CSV, the coupon-use report with its chart, and the panels: on the
 * coupon page (codes and uses), on crm's customer page (coupons used) and on billing's draft
 * documents (apply a code).
 */
export function registerCouponPages(m: ModuleContext, redemptions: CouponRedemptions): void {
  for (const route of pageRoutes(redemptions)) m.routes.page(route);

  m.views.slot({
    slot: 'loyalty.coupon.panels',
    template: 'loyalty/coupon-codes-panel',
    permission: P.couponApply,
    data: async (ctx, page) => {
      const row = ((page.record as { row?: Row })?.row ?? page.coupon) as Row;
      const id = Number(row?.id);
      const count = async (q: any) => Number((await q.count({ n: '*' }).first())?.n ?? 0);
      const codes = ctx.db.queryCompany(ctx.companyId, CODES_TABLE).where({ coupon_id: id });
      const recent = (await ctx.db.queryCompany(ctx.companyId, REDEMPTIONS).where({ coupon_id: id }).orderBy('id', 'desc').limit(20)) as Row[];
      return {
        coupon: row,
        single: row?.mode === 'single',
        codes: await count(codes.clone()),
        redeemedCodes: await count(codes.clone().whereNotNull('redeemed_at')),
        recent: recent.map((r) => ({ ...r, docPath: DOC_PATHS[r.document_kind] ?? 'invoices' })),
        canManage: ctx.can(P.couponManage),
      };
    },
  });

  m.views.slot({
    slot: 'crm.customer.panels',
    template: 'loyalty/coupon-customer-panel',
    permission: P.couponApply,
    order: 60,
    data: async (ctx, page) => {
      const used = await redemptions.usedBy(ctx, Number((page.customer as { id: number })?.id), 10);
      return { used: used.map((u) => ({ ...u, docPath: DOC_PATHS[u.document_kind] ?? 'invoices' })) };
    },
  });

  m.views.slot({
    slot: 'billing.invoice.panels',
    template: 'loyalty/coupon-document-panel',
    permission: P.couponApply,
    data: async (ctx, page) => {
      const doc = page.doc as { id: number; kind: string; status: string } | undefined;
      if (!doc || !DOC_PATHS[doc.kind]) return { show: false };
      const applied = (await ctx.db.queryCompany(ctx.companyId, REDEMPTIONS).where({ document_id: doc.id }).orderBy('id')) as Row[];
      return { show: doc.status === 'draft' || applied.length > 0, draft: doc.status === 'draft', doc, applied };
    },
  });
}

async function companyCurrency(ctx: RequestContext): Promise<string> {
  const row = await ctx.db.unscoped('the currency of the caller company').table('core_companies').where({ id: ctx.companyId }).first('currency');
  return String(row?.currency ?? 'EUR');
}

function pageRoutes(redemptions: CouponRedemptions): PageRoute[] {
  return [
    {
      method: 'POST',
      path: '/loyalty/coupons/apply',
      permission: P.couponApply,
      handler: async (ctx, { body }) => {
        const id = requireId(text(body, 'document_id'));
        const kind = text(body, 'kind') === 'order' ? 'order' : 'invoice';
        const back = `/billing/${DOC_PATHS[kind]}/${id}`;
        try {
          const r = await redemptions.apply(ctx, { code: text(body, 'code'), documentId: id, kind });
          const currency = await companyCurrency(ctx);
          const off = `${formatAmount(r.amount, currency)} ${currency}`;
          return { redirect: back, flash: { type: 'success', message: r.created ? `Coupon ${r.code} applied: ${off} off.` : `Coupon ${r.code} was already on this ${kind}.` } };
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          return { redirect: back, flash: { type: 'error', message: error.message } };
        }
      },
    },
    {
      method: 'GET',
      path: '/loyalty/coupons/:id/generate',
      permission: P.couponManage,
      handler: async (ctx, { params }) => {
        const id = requireId(params.id);
        const coupon = await ctx.db.getById<Row>('loyalty_coupons', id, 'Coupon');
        const batches = (await ctx.db.queryCompany(ctx.companyId, BATCHES).where({ coupon_id: id }).orderBy('id', 'desc').limit(20)) as Row[];
        return { view: 'loyalty/coupon-generate', title: `Generate codes: ${coupon.name}`, data: { coupon, batches, single: coupon.mode === 'single', inlineLimit: INLINE_LIMIT, maxBatch: MAX_BATCH } };
      },
    },
    {
      method: 'POST',
      path: '/loyalty/coupons/:id/generate',
      permission: P.couponManage,
      handler: async (ctx, { params, body }) => {
        const id = requireId(params.id);
        const count = /^\d{1,6}$/.test(text(body, 'count')) ? Number(text(body, 'count')) : NaN;
        try {
          const batch = await startBatch(ctx, id, count, text(body, 'prefix').toUpperCase() || undefined);
          if (batch.status === 'completed') return { redirect: `/loyalty/coupons/${id}`, flash: { type: 'success', message: `${batch.generated} codes generated.` } };
          return { redirect: `/loyalty/coupons/batches/${batch.id}` };
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          return { redirect: `/loyalty/coupons/${id}/generate`, flash: { type: 'error', message: Object.values(error.fields)[0] ?? error.message } };
        }
      },
    },
    {
      method: 'GET',
      path: '/loyalty/coupons/batches/:id',
      permission: P.couponManage,
      handler: async (ctx, { params }) => {
        const batch = await getBatch(ctx.db, requireId(params.id));
        return { view: 'loyalty/coupon-batch', title: `Batch #${batch.id}`, data: { batch, statusUrl: `/api/v1/loyalty/coupons/batches/${batch.id}` } };
      },
    },
    {
      method: 'GET',
      path: '/loyalty/coupons/:id/codes.csv',
      permission: P.couponManage,
      handler: async (ctx, { params }, _req, res) => {
        const id = requireId(params.id);
        await ctx.db.getById('loyalty_coupons', id, 'Coupon');
        return sendCsv(res, `coupon-${id}-codes.csv`, codesCsv(ctx.db, id));
      },
    },
    {
      method: 'GET',
      path: '/loyalty/reports/coupons',
      permission: P.couponManage,
      handler: async (ctx, { query }) => {
        const today = calendarDay(await companyZone(ctx.db));
        const asked = (key: string) => (DAY.test(text(query, key)) ? text(query, key) : '');
        const from = asked('from') || new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
        const to = asked('to') && asked('to') >= from ? asked('to') : today;
        const report = await couponUse(ctx, from, to);
        const currency = await companyCurrency(ctx);
        const labels = report.days.map((d) => d.day);
        // The shell draws `data-chart` specs with chart.js; amounts shown in major units (text → number for the axis only).
        const usesChart = { type: 'bar', title: 'Coupon uses per day', labels, series: [{ name: 'Uses', values: report.days.map((d) => d.uses) }] };
        const discountChart = { type: 'line', title: `Discount per day (${currency})`, unit: currency, labels, series: [{ name: 'Discount', values: report.days.map((d) => formatAmount(d.discount, currency)) }] };
        return { view: 'loyalty/coupon-report', title: 'Coupon use', data: { ...report, usesChart, discountChart } };
      },
    },
  ];
}
