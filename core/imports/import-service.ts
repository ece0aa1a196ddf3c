import { toDate } from '../db/schema-helpers';
import { NotFoundError, ValidationError } from '../errors';
import { QueueUnavailableError, type JobQueue } from '../jobs/job-queue';
import { CORE } from '../kernel/identifiers';
import type { RequestContext } from '../security/request-context';
import type { ImportColumn, ImportDeclaration, RowError } from './import-declaration';
import { IMPORTS, readImportFile, storeUpload, type FileSource, type StoredFile } from './import-files';
import { mapHeader, withArticle, type ColumnMapping } from './import-header';
import { clearRejects, saveRejects, streamRejects } from './import-rejects';
import { MAX_REPORTED_ERRORS, runImport, type ImportReport } from './import-run';
import type { Response } from 'express';

export type ImportStatus = 'uploading' | 'preview_queued' | 'previewing' | 'previewed' | 'import_queued' | 'importing' | 'done' | 'failed';

/** An import as people and the API see it: its report so far, plus where the job stands. */
export interface ImportView extends ImportReport {
  id: number | null;
  filename: string;
  status: ImportStatus;
  job_id: string | null;
  progress: number;
  mapping: ColumnMapping;
  created_at: string | null;
  finished_at: string | null;
}

interface ImportRecord {
  id: number;
  company_id: number;
  kind: string;
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
  file_headers: string | null;
  mapping: string | null;
  created_at: unknown;
  finished_at: unknown;
}

export interface ImportJobData {
  import_id: number;
  user_id: number | null;
  company_id: number;
  dry_run: boolean;
}

/**
 * Uploaded CSV files of one declared import and their runs. The file is stored once; its preview and
 * its import are jobs keyed by the import id and phase, so pressing "Import" twice queues one job,
 * and the rows are matched by the chosen key, so running it again changes nothing.
 */
export class ImportFrame<V = any> {
  constructor(
    readonly decl: ImportDeclaration<V>,
    /** The queue's name of the module's import job, `<module>.<job>`. */
    readonly jobName: string,
  ) {}

  /** Stores an uploaded file. Nothing is checked or written yet. */
  async store(ctx: RequestContext, csv: FileSource, options: { filename?: string; matchBy?: string; status: ImportStatus }): Promise<number> {
    return (await this.upload(ctx, csv, options)).id;
  }

  /** Stores a file as it arrives, chunk by chunk (see import-files.ts); also says how many rows it has. */
  async upload(ctx: RequestContext, csv: FileSource, options: { filename?: string; matchBy?: string; status: ImportStatus }): Promise<StoredFile> {
    ctx.require(this.decl.permission);
    if (typeof csv === 'string' && !csv.trim()) throw new ValidationError({ file: 'is empty' });
    const matchBy = this.parseKey(options.matchBy);
    const filename = String(options.filename ?? '').slice(0, 191) || `${this.decl.noun}s.csv`;
    return storeUpload(ctx, csv, { kind: this.decl.kind, filename, match_by: matchBy, status: options.status });
  }

  /**
   * Queues the import (or its preview) as a job of the import's company. The status, the job and its
   * id are written in one transaction, so the database never says "queued" without a job to run, and
   * the job reaches the queue only after the commit. Asking again for an import still queued hands its
   * job to the queue again if the queue lost it; the job's claim makes it run once either way.
   */
  async enqueue(ctx: RequestContext, id: number, dryRun: boolean): Promise<string> {
    ctx.require(this.decl.permission);
    const row = await this.row(ctx, id);
    const queue = ctx.container.get<JobQueue>(CORE.JobQueue);
    if (!dryRun && ['import_queued', 'importing', 'done'].includes(row.status) && row.job_id) {
      if (row.status !== 'done') await queue.ensureQueued(row.job_id);
      return row.job_id;
    }
    const data: ImportJobData = { import_id: id, user_id: ctx.principal.userId, company_id: Number(row.company_id), dry_run: dryRun };
    // A preview asked again (after a new column mapping) is a new job; an import runs once.
    const phase = dryRun ? `preview:${row.mapping ? hash(row.mapping) : '0'}` : 'run';
    try {
      return await ctx.db.transaction(async (db) => {
        await db.update(IMPORTS, id, { status: dryRun ? 'preview_queued' : 'import_queued' }, { audit: false });
        const jobId = await db.enqueue(this.jobName, data, { jobKey: `${this.jobName}:${id}:${phase}`, companyId: Number(row.company_id) });
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
    const companyId = Number(row.company_id);
    await ctx.db.update(IMPORTS, id, { status: dryRun ? 'previewing' : 'importing' }, { audit: false });
    try {
      await clearRejects(ctx.db, companyId, id);
      const report = await runImport(ctx, this.decl, readImportFile(ctx.db, companyId, id), {
        totalBytes: Number(row.size_bytes),
        key: this.parseKey(row.match_by),
        mapping: parseJson<ColumnMapping>(row.mapping, {}),
        dryRun,
        importId: id,
        onRejects: (rejects) => saveRejects(ctx.db, companyId, id, rejects),
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

  /**
   * The column-mapping step: the file's headers the template does not know, each given a column (or
   * '' to leave it out). The preview runs again with the mapping; an import already run is final.
   */
  async setMapping(ctx: RequestContext, id: number, mapping: ColumnMapping): Promise<void> {
    ctx.require(this.decl.permission);
    const row = await this.row(ctx, id);
    if (['import_queued', 'importing', 'done'].includes(row.status)) throw new ValidationError({ mapping: 'this file is already imported' });
    const columns = new Set((await this.decl.columns(ctx)).map((c) => c.key));
    const headers = parseJson<string[]>(row.file_headers, []);
    const clean: ColumnMapping = {};
    for (const [header, column] of Object.entries(mapping)) {
      if (!headers.includes(header)) throw new ValidationError({ [`mapping.${header}`]: 'is not a column of the file' });
      if (column !== '' && !columns.has(column)) throw new ValidationError({ [`mapping.${header}`]: `"${column}" is not ${withArticle(this.decl.noun)} field` });
      clean[header] = column;
    }
    await ctx.db.update(IMPORTS, id, { mapping: JSON.stringify(clean), status: 'preview_queued', failure: null }, { audit: false });
  }

  async get(ctx: RequestContext, id: number): Promise<ImportView> {
    const row = await this.row(ctx, id);
    let progress = ['done', 'previewed'].includes(row.status) ? 100 : 0;
    if (row.job_id && progress < 100) {
      const job = await ctx.container.get<JobQueue>(CORE.JobQueue).get(row.job_id);
      progress = Math.round(Number(job?.progress ?? 0));
    }
    return this.toView(row, progress, await this.decl.columns(ctx));
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
    const rows = (await ctx.db.query(IMPORTS).where('kind', this.decl.kind).orderBy('id', 'desc').limit(limit).select('id', 'company_id', 'kind', 'filename', 'match_by', 'status', 'job_id', 'rows_total', 'created_count', 'updated_count', 'unchanged_count', 'error_count', 'failure', 'created_at', 'finished_at')) as ImportRecord[];
    return rows.map((r) => this.toView({ ...r, errors: null, file_headers: null, mapping: null }, ['done', 'previewed'].includes(r.status) ? 100 : 0, []));
  }

  /** The rows the last run rejected, as CSV with their reasons, to fix and send again. */
  async downloadRejected(ctx: RequestContext, id: number, res: Response): Promise<void> {
    ctx.require(this.decl.permission);
    const row = await this.row(ctx, id);
    await streamRejects(ctx.db, Number(row.company_id), id, row.filename, res);
  }

  parseKey(value: unknown): string {
    const keys = this.decl.keys.map((k) => k.value);
    const v = value === undefined || value === null || value === '' ? keys[0] : String(value);
    if (!keys.includes(v)) throw new ValidationError({ match_by: `must be one of ${keys.join(', ')}` });
    return v;
  }

  private async saveReport(ctx: RequestContext, id: number, dryRun: boolean, report: ImportReport): Promise<void> {
    const changes = {
      status: report.file_error ? 'failed' : dryRun ? 'previewed' : 'done',
      rows_total: report.rows_total,
      created_count: report.created,
      updated_count: report.updated,
      unchanged_count: report.unchanged,
      error_count: report.error_count,
      errors: JSON.stringify(report.errors.slice(0, MAX_REPORTED_ERRORS)),
      failure: report.file_error,
      file_headers: JSON.stringify(report.file_headers),
      finished_at: new Date(),
    };
    await ctx.db.update(IMPORTS, id, changes, { audit: false });
  }

  private async row(ctx: RequestContext, id: number): Promise<ImportRecord> {
    const row = await ctx.db.findById<ImportRecord>(IMPORTS, id);
    if (!row || row.kind !== this.decl.kind) throw new NotFoundError('Import');
    return row;
  }

  private toView(row: ImportRecord, progress: number, columns: ImportColumn[]): ImportView {
    const fileHeaders = parseJson<string[]>(row.file_headers, []);
    const mapping = parseJson<ColumnMapping>(row.mapping, {});
    return {
      id: Number(row.id),
      filename: row.filename,
      status: row.status,
      dry_run: ['preview_queued', 'previewing', 'previewed'].includes(row.status),
      match_by: row.match_by,
      rows_total: Number(row.rows_total),
      created: Number(row.created_count),
      updated: Number(row.updated_count),
      unchanged: Number(row.unchanged_count),
      error_count: Number(row.error_count),
      errors: parseJson<RowError[]>(row.errors, []),
      file_error: row.failure ?? null,
      file_headers: fileHeaders,
      unknown_headers: row.status === 'failed' && columns.length ? mapHeader(fileHeaders, columns, this.decl.noun, mapping).unknown : [],
      mapping,
      job_id: row.job_id ?? null,
      progress,
      created_at: toDate(row.created_at)?.toISOString() ?? null,
      finished_at: toDate(row.finished_at)?.toISOString() ?? null,
    };
  }
}

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}
