import { CORE } from '../kernel/identifiers';
import type { ModuleContext } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import type { ImportDeclaration } from './import-declaration';
import { importPageRoutes, type ImportPagePaths } from './import-pages';
import { importApiRoutes, type ImportApiPaths } from './import-routes';
import { ImportFrame, type ImportJobData } from './import-service';

interface ContextFactory {
  forUser(userId: number, companyId?: number | null): Promise<RequestContext>;
}

export interface MountOptions {
  api: ImportApiPaths;
  pages: ImportPagePaths;
  /** The job's name within the module (`<module>.<job>` in the queue); `import` unless the module has several. */
  job?: string;
  /** Binds the frame under this identifier for the module's own code and tests. */
  bindAs?: symbol;
}

/**
 * Gives a module its CSV import from a declaration: the frame (bound if asked), the API, the pages
 * and the job that previews and imports stored files with progress.
 */
export function mountImport<V>(m: ModuleContext, decl: ImportDeclaration<V>, options: MountOptions): ImportFrame<V> {
  const job = options.job ?? 'import';
  const frame = new ImportFrame<V>(decl, `${m.manifest.name}.${job}`);
  if (options.bindAs) m.services.bind(options.bindAs, frame);
  for (const route of importApiRoutes(frame, options.api)) m.routes.api(route);
  for (const route of importPageRoutes(frame, { apiUpload: `/api/v1/${m.manifest.name}${options.api.upload}`, ...options.pages })) m.routes.page(route);
  m.jobs.define(job, importJobHandler(m, frame), { attempts: 2 });
  return frame;
}

/** The import job acts as the user who started it, in the company they started it in. */
function importJobHandler(m: ModuleContext, frame: ImportFrame) {
  return async (job: { data: ImportJobData; progress(percent: number, detail?: Record<string, unknown>): Promise<void> }): Promise<unknown> => {
    if (job.data.user_id === null) throw new Error('An import needs the user who started it');
    const ctx = await m.container.get<ContextFactory>(CORE.Contexts).forUser(job.data.user_id, job.data.company_id);
    if (ctx.companyId !== job.data.company_id) throw new Error(`User ${job.data.user_id} no longer works in company ${job.data.company_id}`);
    const view = await frame.run(ctx, job.data.import_id, job.data.dry_run, (percent, detail) => job.progress(percent, detail));
    return { import_id: view.id, status: view.status, created: view.created, updated: view.updated, unchanged: view.unchanged, errors: view.error_count };
  };
}
