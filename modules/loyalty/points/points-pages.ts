import { formatAmount, formProblem, parseAmount, type ModuleContext, type PageResult, type RequestContext } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { liabilityReport } from './points-report';
import type { PointsService } from './points-service';
import type { PointsSettings } from './points-settings';

const KINDS: Record<string, string> = { earned: 'Earned', spent: 'Spent', reversed: 'Reversed', adjusted: 'Adjusted', expired: 'Expired' };

function currencyOf(ctx: RequestContext): string {
  return ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
}

/** `2` or `1.5` points per unit as basis points (20000, 15000); null when not a number with ≤ 4 decimals. */
export function parseRatio(text: string): number | null {
  const m = /^(\d{1,6})(?:[.,](\d{1,4}))?$/.exec(text.trim());
  return m ? Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0')) : null;
}

export function formatRatio(bp: number): string {
  const decimals = String(bp % 10000).padStart(4, '0').replace(/0+$/, '');
  return `${Math.floor(bp / 10000)}${decimals ? '.' + decimals : ''}`;
}

/** The settings form's values, as typed (amounts in the currency, the ratio as a decimal). */
function formValues(s: PointsSettings, currency: string): Record<string, unknown> {
  return { ...s, ratio: formatRatio(s.ratio_bp), tranche_value: formatAmount(s.tranche_value, currency), point_value: formatAmount(s.point_value, currency) };
}

/** Pages of the points part: the loyalty landing, settings, liability report, the customer panel. */
export function registerPointsPages(m: ModuleContext, points: PointsService): void {
  m.routes.page({
    method: 'GET',
    path: '/loyalty',
    permission: P.pointsRead,
    handler: async (ctx) => {
      // The sections are loyalty's own menu entries: each part adds its menus, the landing lists those the user may open.
      const sections = m.manifest.menus.filter((e) => e.parent === 'loyalty' && ctx.can(e.permission)).sort((a, b) => a.order - b.order).map((e) => ({ label: e.label, path: e.path }));
      const settings = await points.settings(ctx);
      return { view: 'loyalty/landing', title: 'Loyalty', data: { sections, pointsActive: settings.active } };
    },
  });

  const settingsPage = async (ctx: RequestContext, values: Record<string, unknown>, errors: Record<string, string> = {}, message = ''): Promise<PageResult> => ({
    view: 'loyalty/points-settings',
    title: 'Points settings',
    status: message ? 422 : 200,
    data: { values, errors, message, modes: [{ value: 'tranche', label: 'By tranche' }, { value: 'direct', label: 'By direct value' }] },
  });
  m.routes.page({ method: 'GET', path: '/loyalty/points/settings', permission: P.settingsManage, handler: async (ctx) => settingsPage(ctx, formValues(await points.settings(ctx), currencyOf(ctx))) });
  m.routes.page({
    method: 'POST',
    path: '/loyalty/points/settings',
    permission: P.settingsManage,
    handler: async (ctx, { body }) => {
      const currency = currencyOf(ctx);
      const text = (name: string) => String(body[name] ?? '').trim();
      const errors: Record<string, string> = {};
      const integer = (name: string, min: number) => {
        const n = Number(text(name));
        if (!/^\d+$/.test(text(name)) || n < min) errors[name] = `a whole number, at least ${min}`;
        return n;
      };
      const amount = (name: string) => {
        const n = parseAmount(text(name), currency);
        if (n === null || n < 1) errors[name] = `an amount above 0, e.g. ${formatAmount(500, currency)}`;
        return n ?? 0;
      };
      const ratio = parseRatio(text('ratio'));
      if (ratio === null) errors.ratio = 'points per currency unit, e.g. 2 or 0.5 (at most 4 decimals)';
      const patch: Partial<PointsSettings> = {
        active: body.active === '1',
        card_mandatory: body.card_mandatory === '1',
        ratio_bp: ratio ?? 0,
        mode: text('mode') === 'direct' ? 'direct' : 'tranche',
        tranche_points: integer('tranche_points', 1),
        tranche_value: amount('tranche_value'),
        point_value: amount('point_value'),
        product_code: text('product_code'),
        expiry_months: integer('expiry_months', 0),
      };
      const typed = { ...body, active: patch.active, card_mandatory: patch.card_mandatory };
      if (Object.keys(errors).length) return settingsPage(ctx, typed, errors, 'Some values need fixing.');
      try {
        await points.saveSettings(ctx, patch);
      } catch (error) {
        const problem = formProblem(error);
        if (!problem) throw error;
        return settingsPage(ctx, typed, problem.errors, problem.message);
      }
      return { redirect: '/loyalty/points/settings', flash: { type: 'success', message: 'Points settings saved.' } };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/loyalty/points/liability',
    permission: P.pointsRead,
    handler: async (ctx) => {
      const report = await liabilityReport(ctx);
      const kinds = ['earned', 'spent', 'reversed', 'adjusted', 'expired'] as const;
      const colors = { earned: '#2e7d32', spent: '#1565c0', reversed: '#ef6c00', adjusted: '#6a1b9a', expired: '#9e9e9e' };
      const chart = {
        type: 'bar',
        data: { labels: report.months.map((r) => r.month), datasets: kinds.map((k) => ({ label: KINDS[k], data: report.months.map((r) => r[k]), backgroundColor: colors[k] })) },
        options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'Points' } } } },
      };
      return { view: 'loyalty/points-liability', title: 'Points liability', data: { report, chart } };
    },
  });

  m.views.slot({
    slot: 'crm.customer.panels',
    template: 'loyalty/points-panel',
    permission: P.pointsRead,
    data: async (ctx, page) => {
      const customerId = Number((page.customer as { id: number })?.id);
      const statement = await points.statement(ctx, customerId);
      return { statement: { ...statement, ledger: statement.ledger.slice(-50).reverse().map((l) => ({ ...l, kindLabel: KINDS[l.kind] ?? l.kind })) }, canAdjust: ctx.can(P.pointsAdjust) };
    },
  });

  // On a draft invoice or order: what the customer's points would pay now, and a button to spend them.
  m.views.slot({
    slot: 'billing.invoice.panels',
    template: 'loyalty/points-spend',
    permission: P.pointsRead,
    data: async (ctx, page) => {
      const doc = page.doc as { id: number; kind: string; status: string; customer_id: number } | undefined;
      if (!doc || !['invoice', 'order'].includes(doc.kind)) return { show: false };
      const settings = await points.settings(ctx);
      if (!settings.active) return { show: false };
      const spent = await points.spentOn(ctx, doc.kind as 'invoice' | 'order', doc.id);
      if (!spent && doc.status !== 'draft') return { show: false };
      return { show: true, doc, spent, spentPoints: spent ? -spent.points : 0, balance: await points.balance(ctx, doc.customer_id), canSpend: ctx.can(P.pointsRedeem) && !spent, settings };
    },
  });
  m.routes.page({
    method: 'POST',
    path: '/loyalty/redemptions',
    permission: P.pointsRedeem,
    handler: async (ctx, { body }) => {
      const kind = body.order_id ? 'order' : 'invoice';
      const id = Number(body.order_id ?? body.invoice_id);
      const target = `/billing/${kind}s/${id}`;
      try {
        const r = await points.redeem(ctx, kind === 'order' ? { order_id: id } : { invoice_id: id });
        return { redirect: target, flash: { type: 'success', message: `${r.points} points spent: ${formatAmount(r.value, r.document.currency)} off` } };
      } catch (error) {
        const problem = formProblem(error);
        if (!problem) throw error;
        return { redirect: target, flash: { type: 'error', message: `${problem.message} ${Object.values(problem.errors).join('; ')}`.trim() } };
      }
    },
  });

  const back = (id: number) => `/crm/customers/${id}`;
  m.routes.page({
    method: 'POST',
    path: '/loyalty/customers/:id/points/adjustments',
    permission: P.pointsAdjust,
    handler: async (ctx, { params, body }) => {
      const id = Number(params.id);
      const pointsText = String(body.points ?? '').trim();
      if (!/^-?\d{1,9}$/.test(pointsText) || Number(pointsText) === 0) return { redirect: back(id), flash: { type: 'error', message: 'Points: a whole number, not 0 (negative to remove)' } };
      if (!String(body.reason ?? '').trim()) return { redirect: back(id), flash: { type: 'error', message: 'Reason: required' } };
      try {
        const s = await points.adjust(ctx, id, Number(pointsText), String(body.reason));
        return { redirect: back(id), flash: { type: 'success', message: `Points adjusted: balance ${s.balance}` } };
      } catch (error) {
        const problem = formProblem(error);
        if (!problem) throw error;
        return { redirect: back(id), flash: { type: 'error', message: problem.message } };
      }
    },
  });
  m.routes.page({
    method: 'POST',
    path: '/loyalty/customers/:id/points/card',
    permission: P.pointsAdjust,
    handler: async (ctx, { params, body }) => {
      const id = Number(params.id);
      const card = String(body.card_number ?? '').trim();
      try {
        await points.setCard(ctx, id, card || null);
        return { redirect: back(id), flash: { type: 'success', message: card ? `Loyalty card ${card.toUpperCase()} saved` : 'Loyalty card removed' } };
      } catch (error) {
        const problem = formProblem(error);
        if (!problem) throw error;
        return { redirect: back(id), flash: { type: 'error', message: `${problem.message} ${Object.values(problem.errors).join('; ')}`.trim() } };
      }
    },
  });
}
