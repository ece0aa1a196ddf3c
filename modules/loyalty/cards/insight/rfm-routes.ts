import { formProblem, idParams, idSchema, requireId, text, ValidationError, type ApiRoute, type PageRoute, type RequestContext } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../../api';
import { SEGMENT_LABELS, type RfmSegment } from '../rules/rfm';
import type { RfmAnalysis } from './rfm-service';

const segments = Object.keys(SEGMENT_LABELS);
const COLORS: Record<RfmSegment, string> = {
  champions: '#1b5e20', loyal: '#2e7d32', potential: '#66bb6a', new: '#29b6f6', promising: '#0288d1',
  need_attention: '#fbc02d', at_risk: '#ef6c00', cant_lose: '#d84315', hibernating: '#8d6e63', lost: '#9e9e9e',
};

// The segment is checked by the handler, after the request's other parts: a path segment's schema is
// checked first, and a wrong name should not hide a wrong cursor or body behind it.
const segmentParams = { type: 'object', required: ['id', 'segment'], additionalProperties: false, properties: { id: idSchema, segment: { type: 'string', maxLength: 40, description: `One of ${segments.join(', ')}` } } };

function segmentNamed(name: string): RfmSegment {
  if (!segments.includes(name)) throw new ValidationError({ segment: `must be one of: ${segments.join(', ')}` });
  return name as RfmSegment;
}

/**
 * An RFM run covers the card holders of every shop of the company (its runs are the company's): deny by
 * default, it needs `loyalty.card.all_shops` besides `loyalty.card.analyse` (403 naming it otherwise).
 */
function everyShop(ctx: RequestContext): void {
  ctx.require(P.cardAllShops);
}

/** RFM over JSON: start a run (a job), follow it, list a segment, save a segment as a crm group. */
export function rfmApiRoutes(rfm: RfmAnalysis): ApiRoute[] {
  return [
    { method: 'POST', path: '/rfm-runs', permission: P.cardAnalyse, status: 202, summary: 'Start an RFM analysis of card holders over the last `window_days` days (a job)', tags: ['Cards'],
      body: { type: 'object', required: ['window_days'], additionalProperties: false, properties: { window_days: { type: 'integer', minimum: 1, maximum: 3660 } } },
      handler: async (ctx, { body }) => (everyShop(ctx), rfm.start(ctx, body.window_days)) },
    { method: 'GET', path: '/rfm-runs/{id}', permission: P.cardAnalyse, summary: 'A run: its status and the customers per segment', tags: ['Cards'], params: idParams,
      handler: async (ctx, { params }) => (everyShop(ctx), rfm.get(ctx, params.id)) },
    { method: 'GET', path: '/rfm-runs/{id}/segments/{segment}', permission: P.cardAnalyse, summary: "A page of a segment's customers with their figures and scores", tags: ['Cards'],
      params: segmentParams,
      query: { type: 'object', properties: { after: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 5000 } } },
      handler: async (ctx, { params, query }) => (everyShop(ctx), { data: await rfm.members(ctx, params.id, segmentNamed(params.segment), { after: query.after, limit: query.limit }) }) },
    { method: 'POST', path: '/rfm-runs/{id}/segments/{segment}/group', permission: P.cardAnalyse, status: 201, summary: "Save a segment as a crm by-customer group", tags: ['Cards'],
      params: segmentParams,
      body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', maxLength: 120 } } },
      handler: async (ctx, { params, body }) => (everyShop(ctx), rfm.saveGroup(ctx, params.id, segmentNamed(params.segment), body?.name)) },
  ];
}

/** The RFM page: a form to run, the chart of the latest (or chosen) run, a segment's list, and the group button. */
export function rfmPages(rfm: RfmAnalysis): PageRoute[] {
  return [
    { method: 'GET', path: '/loyalty/rfm', permission: P.cardAnalyse,
      handler: async (ctx, { query }) => {
        everyShop(ctx);
        const run = query.run ? await rfm.get(ctx, requireId(String(query.run))) : await rfm.latest(ctx);
        const segment = (segments.includes(String(query.segment)) ? String(query.segment) : null) as RfmSegment | null;
        const members = run && segment && run.status === 'done' ? await rfm.members(ctx, run.id, segment, { limit: 500 }) : [];
        const chart = run && {
          type: 'bar',
          data: { labels: run.segments.map((s) => s.label), datasets: [{ label: 'Customers', data: run.segments.map((s) => s.customers), backgroundColor: run.segments.map((s) => COLORS[s.segment]) }] },
          options: { plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: 'Customers' } } } },
        };
        return { view: 'loyalty/rfm', title: 'RFM analysis', data: { run, chart, segment, segmentLabel: segment ? SEGMENT_LABELS[segment] : null, members, pending: run && run.status !== 'done' } };
      } },
    { method: 'POST', path: '/loyalty/rfm', permission: P.cardAnalyse,
      handler: async (ctx, { body }) => {
        everyShop(ctx);
        try {
          const started = await rfm.start(ctx, Number(text(body, 'window_days')));
          return { redirect: `/loyalty/rfm?run=${started.id}`, flash: { type: 'success', message: 'RFM analysis started.' } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return { redirect: '/loyalty/rfm', flash: { type: 'error', message: Object.entries(problem.errors).map(([f, r]) => `${f} ${r}`).join('; ') || problem.message } };
        }
      } },
    { method: 'POST', path: '/loyalty/rfm/:id/segments/:segment/group', permission: P.cardAnalyse,
      handler: async (ctx, { params }) => {
        everyShop(ctx);
        const id = requireId(params.id);
        const back = `/loyalty/rfm?run=${id}&segment=${encodeURIComponent(String(params.segment))}`;
        try {
          const group = await rfm.saveGroup(ctx, id, String(params.segment) as RfmSegment);
          return { redirect: back, flash: { type: 'success', message: `Saved as customer group "${group.name}".` } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return { redirect: back, flash: { type: 'error', message: Object.entries(problem.errors).map(([f, r]) => `${f} ${r}`).join('; ') || problem.message } };
        }
      } },
  ];
}
