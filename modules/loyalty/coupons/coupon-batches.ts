import { CORE, NotFoundError, ValidationError, type ModuleContext, type RequestContext, type ScopedDb } from 'tessera/core';
import { insertCodes } from './coupon-codes';

export const BATCHES = 'loyalty_coupon_batches';
/** Up to this many codes are made in the request; more go to a job that reports its progress. */
export const INLINE_LIMIT = 1000;
export const MAX_BATCH = 100_000;
const CHUNK = 1000;
export const BATCH_JOB = 'coupon-batch';

interface SystemContexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

export interface Batch {
  id: number;
  coupon_id: number;
  requested: number;
  generated: number;
  status: 'running' | 'completed';
  /** For the shell's progress poller. */
  detail: { generated: number };
  /** 0..100. */
  progress: number;
}

function toBatch(row: Record<string, any>): Batch {
  const requested = Number(row.requested);
  const generated = Number(row.generated);
  return { id: Number(row.id), coupon_id: Number(row.coupon_id), requested, generated, status: row.status, detail: { generated }, progress: requested ? Math.floor((generated * 100) / requested) : 100 };
}

/**
 * A batch of single-use codes for a coupon. Small ones are made at once, in the request's transaction;
 * large ones are recorded and handed to a job, which commits chunks of codes with the batch's
 * `generated` count, so a retried job carries on where the last commit left off.
 */
export async function startBatch(ctx: RequestContext, couponId: number, count: number, prefix?: string): Promise<Batch> {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_BATCH) throw new ValidationError({ count: `must be a whole number from 1 to ${MAX_BATCH}` });
  if (prefix !== undefined && prefix !== '' && !/^[A-Z0-9]{1,8}$/.test(prefix)) throw new ValidationError({ prefix: 'must be 1 to 8 letters or digits' });
  return ctx.db.transaction(async (db) => {
    const coupon = await db.queryCompany(db.principal.companyId, 'loyalty_coupons').where({ id: couponId }).first();
    if (!coupon) throw new NotFoundError('Coupon');
    if (coupon.mode !== 'single') throw new ValidationError({ coupon_id: `coupon ${coupon.name} has one shared code; batches are for single-use coupons` });
    const inline = count <= INLINE_LIMIT;
    const id = await db.insert(BATCHES, { coupon_id: couponId, requested: count, generated: 0, status: 'running' });
    if (inline) {
      await insertCodes(db, couponId, count, { prefix: prefix || undefined, batchId: id });
      await db.unscoped('the batch just made').table(BATCHES).where({ id }).update({ generated: count, status: 'completed' });
    } else {
      const jobId = await db.enqueue(`loyalty.${BATCH_JOB}`, { batchId: id, prefix: prefix || null });
      await db.unscoped('the batch just made').table(BATCHES).where({ id }).update({ job_id: jobId });
    }
    return toBatch((await db.queryCompany(db.principal.companyId, BATCHES).where({ id }).first()) as Record<string, unknown>);
  });
}

export async function getBatch(db: ScopedDb, id: number): Promise<Batch> {
  const row = await db.queryCompany(db.principal.companyId, BATCHES).where({ id }).first();
  if (!row) throw new NotFoundError('Batch');
  return toBatch(row);
}

/** The job: chunks of codes, each committed with the batch's count; progress after each. */
export function registerBatchJob(m: ModuleContext): void {
  m.jobs.define<{ batchId: number; prefix: string | null }>(BATCH_JOB, async (job) => {
    const companyId = Number(job.companyId);
    const ctx = m.container.get<SystemContexts>(CORE.Contexts).system([companyId], companyId);
    for (;;) {
      const left = await ctx.db.transaction(async (db) => {
        const knex = db.unscoped("the job's own batch row, locked so two runs of one job never both add a chunk");
        let query = knex(BATCHES).where({ id: job.data.batchId, company_id: companyId });
        if (db.client !== 'better-sqlite3') query = query.forUpdate();
        const batch = await query.first();
        if (!batch) return null;
        const remaining = Number(batch.requested) - Number(batch.generated);
        if (remaining <= 0) {
          await knex(BATCHES).where({ id: batch.id }).update({ status: 'completed', updated_at: new Date() });
          return null;
        }
        const size = Math.min(CHUNK, remaining);
        await insertCodes(db, Number(batch.coupon_id), size, { prefix: job.data.prefix ?? undefined, batchId: Number(batch.id) });
        const generated = Number(batch.generated) + size;
        await knex(BATCHES).where({ id: batch.id }).update({ generated, status: generated >= Number(batch.requested) ? 'completed' : 'running', updated_at: new Date() });
        return { left: Number(batch.requested) - generated, percent: Math.floor((generated * 100) / Number(batch.requested)), generated };
      });
      // After the commit: the job ledger may use a connection of its own (SQLite has one).
      if (left) await job.progress(left.percent, { generated: left.generated });
      if (!left || left.left <= 0) return { batchId: job.data.batchId };
    }
  });
}
