import { CORE, ConflictError, NotFoundError, ValidationError, iso, toDate, type JobContext, type RequestContext } from 'tessera/core';
import type { Container } from 'inversify';
import { CRM, type CustomerGroup, type CustomerGroupService } from '../../../crm/api';
import { SEGMENT_LABELS, scoreRfm, type RfmInput, type RfmScore, type RfmSegment } from '../rules/rfm';

const RUNS = 'loyalty_rfm_runs';
const RESULTS = 'loyalty_rfm_results';
const DAY_MS = 86_400_000;
/** Transactions whose amount is what the customer paid (a stamp card's or a reward card's purchase). */
export const SPEND_ACTIONS = ['stamp', 'purchase'] as const;

export interface RfmRun {
  id: number;
  window_days: number;
  as_of: string;
  status: string;
  customers: number;
  segments: Array<{ segment: RfmSegment; label: string; customers: number }>;
  job_id: string | null;
}

export interface RfmMember {
  customer_id: number;
  recency_days: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: RfmSegment;
}

const segmentNames = Object.keys(SEGMENT_LABELS) as RfmSegment[];
/** Rows stored per transaction (then progress is reported), and per INSERT statement. */
const WRITE_CHUNK = 20_000;
const STATEMENT_ROWS = 2_000;

/**
 * One multi-row INSERT of scored rows `from`..`to`, counting segments as it goes. Every value is an
 * integer made here or a segment name of the fixed list, written as a literal: no 20,000 bindings to
 * pass, and the same text on SQLite and MariaDB.
 */
function insertResults(companyId: number, runId: number, scores: readonly RfmScore[], inputs: readonly RfmInput[], from: number, to: number, counts: Record<string, number>): string {
  const int = (v: number) => {
    if (!Number.isSafeInteger(v)) throw new Error(`RFM figure ${v} is not an integer`);
    return v;
  };
  const values: string[] = [];
  for (let k = from; k < to; k++) {
    const s = scores[k];
    const input = inputs[k];
    if (!segmentNames.includes(s.segment)) throw new Error(`Unknown RFM segment ${s.segment}`);
    counts[s.segment] = (counts[s.segment] ?? 0) + 1;
    values.push(`(${int(companyId)},${int(runId)},${int(s.id)},${int(input.recencyDays)},${int(input.frequency)},${int(input.monetary)},${s.r},${s.f},${s.m},'${s.segment}')`);
  }
  return `insert into ${RESULTS} (company_id, run_id, customer_id, recency_days, frequency, monetary, r, f, m, segment) values ${values.join(',')}`;
}

/**
 * RFM analysis of card holders over a window: the database aggregates each customer's transactions
 * (last one, count, spend) in one grouped query; the pure rules score the quintiles; the scored rows
 * are kept per run, so the list of a segment and the group saved from it match the chart.
 */
export class RfmAnalysis {
  async start(ctx: RequestContext, windowDays: number): Promise<{ id: number; job_id: string }> {
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3660) throw new ValidationError({ window_days: 'is a whole number of days from 1 to 3660' });
    return ctx.db.transaction(async (db) => {
      const id = await db.insert(RUNS, { window_days: windowDays, as_of: new Date(), status: 'queued' }, { audit: false });
      const jobId = await db.enqueue('loyalty.rfm', { run_id: id, company_id: ctx.companyId, user_id: ctx.principal.userId }, { jobKey: `loyalty.rfm.${ctx.companyId}.${id}` });
      await db.update(RUNS, id, { job_id: jobId }, { audit: false });
      return { id, job_id: jobId };
    });
  }

  async get(ctx: RequestContext, id: number): Promise<RfmRun> {
    const row = await ctx.db.findById<Record<string, unknown>>(RUNS, id);
    if (!row) throw new NotFoundError('RFM run');
    const counts = row.segments ? (JSON.parse(String(row.segments)) as Record<string, number>) : {};
    return {
      id: Number(row.id),
      window_days: Number(row.window_days),
      as_of: iso(row.as_of) ?? '',
      status: String(row.status),
      customers: Number(row.customers),
      segments: segmentNames.map((segment) => ({ segment, label: SEGMENT_LABELS[segment], customers: counts[segment] ?? 0 })),
      job_id: row.job_id == null ? null : String(row.job_id),
    };
  }

  async latest(ctx: RequestContext): Promise<RfmRun | null> {
    const row = await ctx.db.queryCompany(ctx.companyId, RUNS).orderBy('id', 'desc').first('id');
    return row ? this.get(ctx, Number(row.id)) : null;
  }

  /** One page of a segment's customers, best monetary first, by customer id after `after`. */
  async members(ctx: RequestContext, runId: number, segment: RfmSegment, options: { after?: number; limit?: number } = {}): Promise<RfmMember[]> {
    await this.get(ctx, runId);
    if (!segmentNames.includes(segment)) throw new ValidationError({ segment: `is one of ${segmentNames.join(', ')}` });
    const rows = await ctx.db.queryCompany(ctx.companyId, RESULTS).where({ run_id: runId, segment }).where('customer_id', '>', options.after ?? 0).orderBy('customer_id').limit(Math.min(options.limit ?? 200, 5000));
    return rows.map((r: Record<string, unknown>) => ({
      customer_id: Number(r.customer_id), recency_days: Number(r.recency_days), frequency: Number(r.frequency), monetary: Number(r.monetary),
      r: Number(r.r), f: Number(r.f), m: Number(r.m), segment: r.segment as RfmSegment,
    }));
  }

  /** The segment of a run as a by-customer group of crm, through crm's service. */
  async saveGroup(ctx: RequestContext, runId: number, segment: RfmSegment, name?: string): Promise<CustomerGroup> {
    const run = await this.get(ctx, runId);
    if (run.status !== 'done') throw new ConflictError(`RFM run ${runId} is ${run.status}; save a segment once it is done`, { run_id: 'is not done' });
    const ids: number[] = [];
    for (let after = 0; ;) {
      const page = await this.members(ctx, runId, segment, { after, limit: 5000 });
      if (!page.length) break;
      for (const m of page) ids.push(m.customer_id);
      after = page[page.length - 1].customer_id;
    }
    if (!ids.length) throw new ValidationError({ segment: 'has no customers in this run' });
    const groupName = (name?.trim() || `RFM ${SEGMENT_LABELS[segment]} (run ${runId}, ${run.as_of.slice(0, 10)})`).slice(0, 120);
    return ctx.container.get<CustomerGroupService>(CRM.CustomerGroups).create(ctx, { name: groupName, type: 'customer', description: `Customers in segment ${SEGMENT_LABELS[segment]} of RFM run ${runId} over ${run.window_days} days`, customer_ids: ids });
  }

  /**
   * Aggregates, scores and stores a run; a retry starts it over (its rows are replaced). The scored rows
   * are written in chunks of multi-row inserts, each chunk its own short transaction followed by the
   * job's progress; the run turns `done` (with its counts) only after the last chunk, and its rows are
   * read only once it is done, so a run that died half-way shows nothing and its retry rewrites it.
   */
  async run(ctx: RequestContext, runId: number, progress: (percent: number, detail?: Record<string, unknown>) => Promise<void>): Promise<{ customers: number }> {
    const row = await ctx.db.findById<Record<string, unknown>>(RUNS, runId);
    if (!row) throw new NotFoundError('RFM run');
    if (row.status === 'done') return { customers: Number(row.customers) };
    await ctx.db.update(RUNS, runId, { status: 'running' }, { audit: false });
    const asOf = toDate(row.as_of)!;
    const inputs = await this.aggregate(ctx, asOf, Number(row.window_days));
    await progress(40, { step: 'aggregated', customers: inputs.length });
    const scores = scoreRfm(inputs);
    await progress(50, { step: 'scored', customers: inputs.length });
    const counts: Record<string, number> = {};
    const knex = ctx.db.unscoped('results of a run of this company, written with the run\'s company');
    await knex(RESULTS).where({ run_id: runId }).delete();
    for (let i = 0; i < scores.length; i += WRITE_CHUNK) {
      const end = Math.min(scores.length, i + WRITE_CHUNK);
      await ctx.db.transaction(async (db) => {
        const trx = db.unscoped('results of a run of this company, written with the run\'s company');
        for (let j = i; j < end; j += STATEMENT_ROWS) await trx.raw(insertResults(ctx.companyId, runId, scores, inputs, j, Math.min(end, j + STATEMENT_ROWS), counts));
      });
      await progress(50 + Math.floor((50 * end) / scores.length) - (end === scores.length ? 1 : 0), { step: 'stored', customers: end });
    }
    await ctx.db.update(RUNS, runId, { status: 'done', customers: scores.length, segments: JSON.stringify(counts) }, { audit: false });
    await progress(100, { customers: scores.length });
    return { customers: scores.length };
  }

  /**
   * Per customer holding a card: the last transaction, their count and the spend. The transactions are
   * summed per card from the covering index (no join per transaction), then the per-card totals are
   * joined to the cards and summed per customer.
   */
  async aggregate(ctx: RequestContext, asOf: Date, windowDays: number): Promise<RfmInput[]> {
    const since = new Date(asOf.getTime() - windowDays * DAY_MS);
    const raw = ctx.db.unscoped('expressions of the scoped queries below');
    const spend = `sum(case when t.action in (${SPEND_ACTIONS.map(() => '?').join(', ')}) then t.amount else 0 end)`;
    // Planners without statistics take the (company, day) index and sort 5M rows: name the covering one.
    const hint = ctx.db.client === 'better-sqlite3' ? 'indexed by loyalty_card_tx_rfm_idx' : 'force index (loyalty_card_tx_rfm_idx)';
    const perCard = ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions', 't')
      .from(raw.raw(`loyalty_card_transactions as t ${hint}`))
      .where('t.created_at', '>=', since).where('t.created_at', '<=', asOf)
      .groupBy('t.card_id')
      .select('t.card_id', raw.raw('max(t.created_at) as last_at'), raw.raw('count(*) as visits'), raw.raw(`${spend} as spend`, [...SPEND_ACTIONS]));
    const rows = await ctx.db.queryCompany(ctx.companyId, 'loyalty_cards', 'c')
      .join(perCard.as('a'), 'a.card_id', 'c.id')
      .groupBy('c.customer_id')
      .select('c.customer_id', raw.raw('max(a.last_at) as last_at'), raw.raw('sum(a.visits) as visits'), raw.raw('sum(a.spend) as spend'));
    return rows.map((r: Record<string, unknown>) => ({
      id: Number(r.customer_id),
      recencyDays: Math.max(0, Math.floor((asOf.getTime() - toDate(r.last_at)!.getTime()) / DAY_MS)),
      frequency: Number(r.visits),
      monetary: Number(r.spend ?? 0),
    }));
  }

  static jobHandler(container: Container, rfm: RfmAnalysis) {
    return async (job: JobContext<{ run_id: number; company_id: number; user_id: number | null }>) => {
      if (job.data.user_id === null) throw new ConflictError('An RFM run needs the user who started it');
      const ctx = await container.get<{ forUser(u: number, c: number): Promise<RequestContext> }>(CORE.Contexts).forUser(job.data.user_id, job.data.company_id);
      return rfm.run(ctx, job.data.run_id, (percent, detail) => job.progress(percent, detail));
    };
  }
}
