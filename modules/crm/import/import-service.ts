import type { Container } from 'inversify';
import {
  toDate,
  NotFoundError,
  ValidationError,
  QueueUnavailableError,
  type JobQueue,
  CORE,
  type JobContext,
  type RequestContext,
} from 'tessera/core';
import { PERM } from '../permissions';
import { importCustomers, MAX_REPORTED_ERRORS, type ImportReport } from './csv-import';
import { MATCH_KEYS, type MatchBy, type RowError } from './csv-row';
import { readImportFile, storeUpload, type FileSource, type StoredFile } from './import-files';

export const IMPORTS = 'crm_imports';
export const IMPORT_JOB = 'crm.import';
/** Above this many rows an API import runs as a job unless the caller asks otherwise. */
export const SYNC_ROW_LIMIT = 5000;

export type ImportStatus = 'uploading' | 'preview_queued' | 'previewing' | 'previewed' | 'import_queued' | 'importing' | 'done' | 'failed';

/** An import as people and the API see it: its report so far, plus where the job stands. */
export interface ImportView extends ImportReport {
  id: number | null;
  filename: string;
  status: ImportStatus;
  job_id: string | null;
  progress: number;
  created_at: string | null;
  finished_at: string | null;
}

interface ImportRow {
  id: number;
  company_id: number;
  filename: string;
  match_by: string;
  status: ImportStatus;
  size_bytes: number;
  job_id: string | null;
  rows_total: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  error_count: number;
  errors: string | null;
  failure: string | null;
  created_by: number | null;
  created_at: unknown;
  finished_at: unknown;
}

interface JobData {
  import_id: number;
  user_id: number | null;
  company_id: number;
  dry_run: boolean;
}

interface ContextFactory {
  forUser(userId: number, companyId?: number | null): Promise<RequestContext>;
}

/**
 * Uploaded CSV files and their runs. The file is stored once; its preview and its import are jobs
 * keyed by the import id and phase, so pressing "Import" twice queues one job, and the import itself
 * matches rows to customers, so running it again changes nothing.
 */
export class ImportService {
  /** Stores an uploaded file. Nothing is checked or written yet. */
  async store(ctx: RequestContext, csv: FileSource, options: { filename?: string; matchBy?: string; status: ImportStatus }): Promise<number> {
    return (await this.upload(ctx, csv, options)).id;
  }

  /** Stores a file as it arrives, chunk by chunk (see import-files.ts); also says how many rows it has. */
  async upload(ctx: RequestContext, csv: FileSource, options: { filename?: string; matchBy?: string; status: ImportStatus }): Promise<StoredFile> {
    ctx.require(PERM.customerImport);
    if (typeof csv === 'string' && !csv.trim()) throw new ValidationError({ file: 'is empty' });
    const matchBy = parseMatchBy(options.matchBy);
    const filename = String(options.filename ?? '').slice(0, 191) || 'customers.csv';
    return storeUpload(ctx, csv, { filename, match_by: matchBy, status: options.status });
  }

  /**
   * Queues the import (or its preview) as a job of the import's company. The status, the job and its
   * id are written in one transaction, so the database never says "queued" without a job to run, and
   * the job reaches the queue only after the commit. Asking again for an import still queued hands its
   * job to the queue again if the queue lost it; the job's claim makes it run once either way.
   */
  async enqueue(ctx: RequestContext, id: number, dryRun: boolean): Promise<string> {
    ctx.require(PERM.customerImport);
    const row = await this.row(ctx, id);
    const queue = ctx.container.get<JobQueue>(CORE.JobQueue);
    if (!dryRun && ['import_queued', 'importing', 'done'].includes(row.status) && row.job_id) {
      if (row.status !== 'done') await queue.ensureQueued(row.job_id);
      return row.job_id;
    }
    const data: JobData = { import_id: id, user_id: ctx.principal.userId, company_id: Number(row.company_id), dry_run: dryRun };
    try {
      return await ctx.db.transaction(async (db) => {
        await db.update(IMPORTS, id, { status: dryRun ? 'preview_queued' : 'import_queued' }, { audit: false });
        const jobId = await db.enqueue(IMPORT_JOB, data, { jobKey: `${IMPORT_JOB}:${id}:${dryRun ? 'preview' : 'run'}`, companyId: Number(row.company_id) });
        await db.update(IMPORTS, id, { job_id: jobId }, { audit: false });
        return jobId;
      });
    } catch (error) {
      // An upload stored as queued that never got its job says so, and can be run again later.
      if (error instanceof QueueUnavailableError && !row.job_id && (row.status === 'import_queued' || row.status === 'preview_queued')) {
        await ctx.db.update(IMPORTS, id, { status: 'failed', failure: error.message, finished_at: new Date() }, { audit: false });
      }
      throw error;
    }
  }

  /** Runs a stored import (or its preview) now, in this process; jobs and small API calls use it. */
  async run(ctx: RequestContext, id: number, dryRun: boolean, progress?: (percent: number, detail: Record<string, unknown>) => Promise<void>): Promise<ImportView> {
    const row = await this.row(ctx, id);
    await ctx.db.update(IMPORTS, id, { status: dryRun ? 'previewing' : 'importing' }, { audit: false });
    try {
      const report = await importCustomers(ctx, readImportFile(ctx.db, Number(row.company_id), id), {
        totalBytes: Number(row.size_bytes),
        matchBy: parseMatchBy(row.match_by),
        dryRun,
        importId: id,
        onProgress: progress ? (p) => progress(p.percent, { processed: p.processed, created: p.created, updated: p.updated, unchanged: p.unchanged, errors: p.error_count }) : undefined,
      });
      await this.saveReport(ctx, id, dryRun, report);
      if (!dryRun) await ctx.db.audit({ table: IMPORTS, recordId: id, action: 'import', changes: { created: report.created, updated: report.updated, unchanged: report.unchanged, errors: report.error_count } });
    } catch (error) {
      await ctx.db.update(IMPORTS, id, { status: 'failed', failure: String((error as Error).message ?? error).slice(0, 2000), finished_at: new Date() }, { audit: false });
      throw error;
    }
    return this.get(ctx, id);
  }

  async get(ctx: RequestContext, id: number): Promise<ImportView> {
    const row = await this.row(ctx, id);
    let progress = ['done', 'previewed'].includes(row.status) ? 100 : 0;
    if (row.job_id && progress < 100) {
      const job = await ctx.container.get<JobQueue>(CORE.JobQueue).get(row.job_id);
      progress = Math.round(Number(job?.progress ?? 0));
    }
    return toView(row, progress);
  }

  /** The job's state for the shell's progress bar: `{status, progress, detail}`. */
  async progress(ctx: RequestContext, id: number): Promise<{ status: string; progress: number; detail: Record<string, unknown> | null; import_status: ImportStatus }> {
    const row = await this.row(ctx, id);
    const job = row.job_id ? await ctx.container.get<JobQueue>(CORE.JobQueue).get(row.job_id) : null;
    // A failed attempt the queue will try again is not the end: the page keeps waiting for the retry.
    const retrying = row.status === 'failed' && !!job && ['waiting', 'active', 'delayed'].includes(job.status);
    const finished = ['previewed', 'done', 'failed'].includes(row.status) && !retrying;
    return {
      status: finished ? (row.status === 'failed' ? 'failed' : 'completed') : (job?.status ?? 'waiting'),
      progress: finished ? 100 : Math.round(Number(job?.progress ?? 0)),
      detail: job?.detail ?? null,
      import_status: row.status,
    };
  }

  async recent(ctx: RequestContext, limit = 10): Promise<ImportView[]> {
    const rows = (await ctx.db.query(IMPORTS).orderBy('id', 'desc').limit(limit).select('id', 'company_id', 'filename', 'match_by', 'status', 'job_id', 'rows_total', 'created_count', 'updated_count', 'unchanged_count', 'error_count', 'failure', 'created_at', 'finished_at')) as ImportRow[];
    return rows.map((r) => toView({ ...r, errors: null }, ['done', 'previewed'].includes(r.status) ? 100 : 0));
  }

  /** The `crm.import` job: acts as the user who started it, in the company they started it in. */
  static jobHandler(container: Container) {
    return async (job: JobContext<JobData>): Promise<unknown> => {
      const contexts = container.get<ContextFactory>(CORE.Contexts);
      if (job.data.user_id === null) throw new Error('An import needs the user who started it');
      const ctx = await contexts.forUser(job.data.user_id, job.data.company_id);
      if (ctx.companyId !== job.data.company_id) throw new Error(`User ${job.data.user_id} no longer works in company ${job.data.company_id}`);
      const service = container.get<ImportService>(Symbol.for('crm.ImportService'));
      const view = await service.run(ctx, job.data.import_id, job.data.dry_run, (percent, detail) => job.progress(percent, detail));
      return { import_id: view.id, status: view.status, created: view.created, updated: view.updated, unchanged: view.unchanged, errors: view.error_count };
    };
  }

  private async saveReport(ctx: RequestContext, id: number, dryRun: boolean, report: ImportReport): Promise<void> {
    await ctx.db.update(
      IMPORTS,
      id,
      {
        status: report.file_error ? 'failed' : dryRun ? 'previewed' : 'done',
        rows_total: report.rows_total,
        created_count: report.created,
        updated_count: report.updated,
        unchanged_count: report.unchanged,
        error_count: report.error_count,
        errors: JSON.stringify(report.errors.slice(0, MAX_REPORTED_ERRORS)),
        failure: report.file_error,
        finished_at: new Date(),
      },
      { audit: false },
    );
  }

  private async row(ctx: RequestContext, id: number): Promise<ImportRow> {
    const row = await ctx.db.findById<ImportRow>(IMPORTS, id);
    if (!row) throw new NotFoundError('Import');
    return row;
  }
}

export function parseMatchBy(value: unknown): MatchBy {
  const v = value === undefined || value === null || value === '' ? 'auto' : String(value);
  if (!(MATCH_KEYS as string[]).includes(v)) throw new ValidationError({ match_by: `must be one of ${MATCH_KEYS.join(', ')}` });
  return v as MatchBy;
}

function toView(row: ImportRow, progress: number): ImportView {
  let errors: RowError[] = [];
  try {
    errors = row.errors ? JSON.parse(row.errors) : [];
  } catch {
    errors = [];
  }
  return {
    id: Number(row.id),
    filename: row.filename,
    status: row.status,
    dry_run: ['preview_queued', 'previewing', 'previewed'].includes(row.status),
    match_by: parseMatchBy(row.match_by),
    rows_total: Number(row.rows_total),
    created: Number(row.created_count),
    updated: Number(row.updated_count),
    unchanged: Number(row.unchanged_count),
    error_count: Number(row.error_count),
    errors,
    file_error: row.failure ?? null,
    job_id: row.job_id ?? null,
    progress,
    created_at: toDate(row.created_at)?.toISOString() ?? null,
    finished_at: toDate(row.finished_at)?.toISOString() ?? null,
  };
}
