import http from 'node:http';
import path from 'node:path';
import express from 'express';
import type { TemplateDelegate } from 'handlebars';
import { Kernel } from '../core/kernel/kernel';
import type { RequestContext } from '../core/security/request-context';
import type { BullJobQueue } from '../core/jobs/bull-queue';
import { load, LoadResult } from './load';
import { loginCookie } from './session';
import type { PageTarget } from './targets';

export interface PageBenchOptions {
  databaseUrl: string;
  /** The kernel's modules folder: the real `modules/` or the fixtures. */
  modulesDir: string;
  target: PageTarget;
  admin: { email: string; password: string };
  queuePrefix: string;
  rows: number;
  connections: number;
  /** Seconds of load per handler, split into `rounds` alternating slices. */
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  print(line: string): void;
}

export interface PageBenchResult {
  page: LoadResult;
  plain: LoadResult;
  ratio: number;
}

interface RenderCall {
  name: string;
  data: Record<string, unknown>;
  ctx: RequestContext | null;
  html: string;
}

/**
 * The same list page twice, under the same load:
 *  - `page`: through the whole core: session cookie read from the session store, principal loaded,
 *    CSRF token, permission check, the module's handler with scoped queries, menus, layout;
 *  - `plain`: a bare express handler on its own port that runs ONE query per request (the rows of the
 *    list, unscoped, straight on knex; see PageTarget.query) and renders the SAME compiled handlebars
 *    templates (the module's view, then the shell layout) with the view model the core produced for
 *    that page, captured once (menus, user, company, CSRF token are constants here). No session, no
 *    auth, no scoping. Its HTML is checked to equal the core page's (CSRF token aside).
 * Fetching per request rather than once keeps the one database round trip a real page cannot avoid
 * in the baseline, so the ratio measures what the core adds on top of "query + render".
 */
export async function runPageBench(options: PageBenchOptions): Promise<PageBenchResult> {
  const { target, print } = options;
  const kernel = await Kernel.boot({
    modulesDir: options.modulesDir,
    config: {
      instanceName: options.queuePrefix,
      databaseUrl: options.databaseUrl,
      redisUrl: process.env.REDIS_URL || null,
      admin: options.admin,
      logLevel: 'silent',
      demo: true,
      // A fixture already inside modulesDir must not be loaded twice.
      modulesPath: target.modulesPath.filter((dir) => path.dirname(dir) !== path.resolve(options.modulesDir)),
    },
  });
  let plainServer: http.Server | null = null;
  try {
    await target.seed(kernel, options.rows);
    // Both servers are reached the same way: IPv4 loopback (the kernel listens on 0.0.0.0).
    const url = (await kernel.listen(0)).url.replace('//localhost:', '//127.0.0.1:');
    const cookie = await loginCookie(url, options.admin.email, options.admin.password);

    // One request through the core, recording what it rendered: the view model of the plain handler.
    // The first page after sign-in also stores the session's CSRF token: count a steady-state request.
    await fetchPage(`${url}${target.url}`, cookie);
    let queries = 0;
    const countQuery = () => void queries++;
    kernel.knex.on('query', countQuery);
    const calls = await captureRenders(kernel, () => fetchPage(`${url}${target.url}`, cookie)).finally(() => kernel.knex.off('query', countQuery));
    const [view, layout] = [calls.find((c) => c.name !== 'layout'), calls.find((c) => c.name === 'layout')];
    if (!view || !layout) throw new Error(`${target.url} did not render a view inside the layout (rendered: ${calls.map((c) => c.name).join(', ') || 'nothing'})`);
    const pageHtml = layout.html;
    const shown = target.countRows(pageHtml);

    const hb = kernel.views.hb;
    const viewTemplate = hb.partials[view.name] as TemplateDelegate | undefined;
    const layoutTemplate = hb.partials.layout as TemplateDelegate | undefined;
    if (typeof viewTemplate !== 'function' || typeof layoutTemplate !== 'function') throw new Error(`templates ${view.name} or layout are not compiled partials`);
    // Slot contents depend only on the page data here; they are rendered once, like the rest of the view model.
    const viewSlots = await slotsOf(kernel, view);
    const layoutSlots = await slotsOf(kernel, layout);

    const plainApp = express();
    plainApp.disable('x-powered-by');
    plainApp.get(target.url.split('?')[0], async (_req, res, next) => {
      try {
        const rows = await target.query(kernel.knex, options.rows);
        const data = target.withRows(view.data, rows);
        const body = viewTemplate({ ...data, __slots: viewSlots });
        res.type('html').send(layoutTemplate({ ...data, body, __slots: layoutSlots }));
      } catch (error) {
        next(error);
      }
    });
    plainServer = http.createServer(plainApp);
    await new Promise<void>((resolve) => plainServer!.listen(0, '127.0.0.1', resolve));
    const plainUrl = `http://127.0.0.1:${(plainServer.address() as { port: number }).port}`;
    let plainQueries = 0;
    const countPlainQuery = () => void plainQueries++;
    kernel.knex.on('query', countPlainQuery);
    const plainHtml = await fetchPage(`${plainUrl}${target.url}`, '').finally(() => kernel.knex.off('query', countPlainQuery));

    print(`page: ${target.url} (${target.label}; ${shown} rows; admin session; ${kernel.installed.map((s) => s.manifest.name).join(', ')})`);
    if (shown !== options.rows) print(`warning: the page shows ${shown} rows, not ${options.rows}`);
    const same = normalise(plainHtml) === normalise(pageHtml);
    print(`plain html same as page: ${same ? 'yes' : `no (page ${pageHtml.length} bytes, plain ${plainHtml.length} bytes)`}`);
    print(`page size: ${pageHtml.length} bytes`);
    print(`page queries: ${queries} per request`);
    print(`plain queries: ${plainQueries} per request`);

    const pageLoad = { url: `${url}${target.url}`, headers: { cookie }, connections: options.connections };
    const plainLoad = { url: `${plainUrl}${target.url}`, connections: options.connections };
    await load({ ...pageLoad, durationSeconds: options.warmupSeconds });
    await load({ ...plainLoad, durationSeconds: options.warmupSeconds });
    // ABBA order (page, plain, plain, page, ...) in slices of the run: a machine whose load drifts
    // during the run (other processes) then weighs on both handlers alike.
    const slices = Math.max(1, Math.round(options.rounds));
    const sliceSeconds = options.durationSeconds / slices;
    const pageRuns: LoadResult[] = [];
    const plainRuns: LoadResult[] = [];
    for (let i = 0; i < slices; i++) {
      const order = i % 2 === 0 ? (['page', 'plain'] as const) : (['plain', 'page'] as const);
      for (const which of order) {
        if (which === 'page') pageRuns.push(await load({ ...pageLoad, durationSeconds: sliceSeconds }));
        else plainRuns.push(await load({ ...plainLoad, durationSeconds: sliceSeconds }));
      }
    }
    const page = combine(pageRuns, options.durationSeconds);
    const plain = combine(plainRuns, options.durationSeconds);
    if (page.failures || plain.failures) throw new Error(`failed requests under load: page ${page.failures}, plain ${plain.failures}`);

    print(`page rps: ${page.rps.toFixed(0)} req/s`);
    print(`page p99: ${page.p99} ms`);
    print(`plain rps: ${plain.rps.toFixed(0)} req/s`);
    print(`plain p99: ${plain.p99} ms`);
    return { page, plain, ratio: page.rps / plain.rps };
  } finally {
    if (plainServer) await new Promise((resolve) => plainServer!.close(resolve));
    if (kernel.queue.kind === 'bull') await (kernel.queue as BullJobQueue).obliterate().catch(() => undefined);
    await kernel.close();
  }
}

/** Slices of one handler as one run: requests over the whole time; p99 weighted by each slice's requests. */
function combine(runs: LoadResult[], seconds: number): LoadResult {
  const total = runs.reduce((n, r) => n + r.total, 0);
  const weighted = (pick: (r: LoadResult) => number) => (total ? runs.reduce((n, r) => n + pick(r) * r.total, 0) / total : 0);
  return {
    rps: total / seconds,
    p50: Math.round(weighted((r) => r.p50)),
    p99: Math.round(weighted((r) => r.p99)),
    total,
    failures: runs.reduce((n, r) => n + r.failures, 0),
  };
}

async function fetchPage(url: string, cookie: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}${response.headers.get('location') ? ` -> ${response.headers.get('location')}` : ''}`);
  return html;
}

/** Runs `action` while recording every template the view engine renders. */
async function captureRenders(kernel: Kernel, action: () => Promise<unknown>): Promise<RenderCall[]> {
  const views = kernel.views;
  const original = views.render;
  const calls: RenderCall[] = [];
  views.render = async function (this: typeof views, name, data, ctx) {
    const html = await original.call(this, name, data, ctx);
    calls.push({ name, data, ctx, html });
    return html;
  };
  try {
    await action();
  } finally {
    views.render = original;
  }
  return calls;
}

/** The slot contents the view engine computed for a render (the engine keeps this step private). */
async function slotsOf(kernel: Kernel, call: RenderCall): Promise<Record<string, string>> {
  const fill = (kernel.views as unknown as { fillSlots?: (name: string, data: Record<string, unknown>, ctx: RequestContext | null) => Promise<Record<string, string>> }).fillSlots;
  return fill ? fill.call(kernel.views, call.name, call.data, call.ctx) : {};
}

/** The CSRF token differs between sessions; everything else must match byte for byte. */
function normalise(html: string): string {
  return html.replace(/[0-9a-f]{40,}/g, 'TOKEN');
}
