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
/** Card id ranges the aggregate reads one at a time (progress after each), and how many at once on MariaDB. */
const AGGREGATE_RANGES = 8;
const AGGREGATE_READERS = 2;
/** Transactions writing a run's rows at once on MariaDB. */
const WRITERS = 2;

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
    const inputs = await this.aggregate(ctx, asOf, Number(row.window_days), (done, of) => progress(Math.floor((40 * done) / of), { step: 'aggregating', ranges: of, done }));
    await progress(40, { step: 'aggregated', customers: inputs.length });
    const scores = scoreRfm(inputs);
    await progress(50, { step: 'scored', customers: inputs.length });
    const counts: Record<string, number> = {};
    const knex = ctx.db.unscoped('results of a run of this company, written with the run\'s company');
    await knex(RESULTS).where({ run_id: runId }).delete();
    // Chunks in order, two at once on MariaDB (pooled connections), one by one on SQLite (one writer).
    const chunks = Math.ceil(scores.length / WRITE_CHUNK);
    let next = 0;
    let stored = 0;
    const write = async () => {
      for (let k = next++; k < chunks; k = next++) {
        const from = k * WRITE_CHUNK;
        const end = Math.min(scores.length, from + WRITE_CHUNK);
        await ctx.db.transaction(async (db) => {
          const trx = db.unscoped('results of a run of this company, written with the run\'s company');
          for (let j = from; j < end; j += STATEMENT_ROWS) await trx.raw(insertResults(ctx.companyId, runId, scores, inputs, j, Math.min(end, j + STATEMENT_ROWS), counts));
        });
        stored += end - from;
        await progress(Math.min(99, 50 + Math.floor((50 * stored) / scores.length)), { step: 'stored', customers: stored });
      }
    };
    await Promise.all(Array.from({ length: ctx.db.client === 'better-sqlite3' ? 1 : WRITERS }, write));
    await ctx.db.update(RUNS, runId, { status: 'done', customers: scores.length, segments: JSON.stringify(counts) }, { audit: false });
    await progress(100, { customers: scores.length });
    return { customers: scores.length };
  }

  /**
   * Per customer holding a card: the last transaction, their count and the spend. The transactions are
   * summed per card from the covering index (no join per transaction), in ranges of card ids so the job
   * reports progress as it goes (and MariaDB reads two ranges side by side on pooled connections); each
   * range's per-card totals come joined to the cards for their customer, and are summed per customer here.
   */
  async aggregate(ctx: RequestContext, asOf: Date, windowDays: number, onRange?: (done: number, of: number) => Promise<void>): Promise<RfmInput[]> {
    const since = new Date(asOf.getTime() - windowDays * DAY_MS);
    const raw = ctx.db.unscoped('expressions of the scoped queries below');
    const sqlite = ctx.db.client === 'better-sqlite3';
    // The first and last card with transactions, each one seek in the (company, card, ...) index.
    const end = (direction: 'asc' | 'desc') => ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions').orderBy('card_id', direction).first('card_id');
    const [first, last] = await Promise.all([end('asc'), end('desc')]);
    if (!first || !last) return [];
    const lo = Number(first.card_id);
    const hi = Number(last.card_id);
    const ranges = Math.max(1, Math.min(AGGREGATE_RANGES, hi - lo + 1));
    const width = Math.ceil((hi - lo + 1) / ranges);
    const spend = `sum(case when t.action in (${SPEND_ACTIONS.map(() => '?').join(', ')}) then t.amount else 0 end)`;
    // Planners without statistics take the (company, day) index and sort 5M rows: name the covering one.
    const hint = sqlite ? 'indexed by loyalty_card_tx_rfm_idx' : 'force index (loyalty_card_tx_rfm_idx)';
    const perCardOf = (from: number, to: number) => ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions', 't')
      .from(raw.raw(`loyalty_card_transactions as t ${hint}`))
      .whereBetween('t.card_id', [from, to])
      .where('t.created_at', '>=', since).where('t.created_at', '<=', asOf)
      .groupBy('t.card_id')
      .select('t.card_id', raw.raw('max(t.created_at) as last_at'), raw.raw('count(*) as visits'), raw.raw(`${spend} as spend`, [...SPEND_ACTIONS]));
    const byCustomer = new Map<number, { last: number; visits: number; spend: number }>();
    let next = 0;
    let done = 0;
    const work = async () => {
      for (let k = next++; k < ranges; k = next++) {
        const from = lo + k * width;
        const rows = await ctx.db.queryCompany(ctx.companyId, 'loyalty_cards', 'c')
          .join(perCardOf(from, Math.min(hi, from + width - 1)).as('a'), 'a.card_id', 'c.id')
          .select('c.customer_id', 'a.last_at', 'a.visits', 'a.spend');
        for (const r of rows as Array<Record<string, unknown>>) {
          const id = Number(r.customer_id);
          const last = toDate(r.last_at)!.getTime();
          const sum = byCustomer.get(id);
          if (!sum) byCustomer.set(id, { last, visits: Number(r.visits), spend: Number(r.spend ?? 0) });
          else {
            sum.last = Math.max(sum.last, last);
            sum.visits += Number(r.visits);
            sum.spend += Number(r.spend ?? 0);
          }
        }
        done++;
        await onRange?.(done, ranges);
      }
    };
    await Promise.all(Array.from({ length: sqlite ? 1 : AGGREGATE_READERS }, work));
    return [...byCustomer.entries()].sort((a, b) => a[0] - b[0]).map(([id, sum]) => ({
      id,
      recencyDays: Math.max(0, Math.floor((asOf.getTime() - sum.last) / DAY_MS)),
      frequency: sum.visits,
      monetary: sum.spend,
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
