import { ValidationError } from '../errors';
import { HANDLED, type PageResult, type PageRoute, type RedirectResult } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import { MAX_REPORTED_ERRORS } from './import-run';
import { sendTemplate } from './import-routes';
import type { ImportFrame } from './import-service';

/** Where a module's import pages live, and what the upload page says about its file. */
export interface ImportPagePaths {
  /** The upload page; `<upload>/template.csv` is the template. */
  upload: string;
  /** An import's page is `<imports>/:id`. */
  imports: string;
  /** The list the import fills, for the breadcrumb. */
  back: { href: string; label: string };
  title: string;
  /** Paragraphs of help on the upload page (plain text). */
  help?: string[];
  /** The API's upload path in full, for the page's script (set by mountImport). */
  apiUpload?: string;
}

/** Upload, preview report with column mapping and rejected rows, import with a progress bar. */
export function importPageRoutes(frame: ImportFrame, paths: ImportPagePaths): PageRoute[] {
  const { permission } = frame.decl;
  const keyLabel = (value: string) => frame.decl.keys.find((k) => k.value === value)?.label ?? value;
  const page = (ctx: RequestContext, view: string, title: string, data: Record<string, unknown>, status?: number): PageResult => ({ view, title, status, data: { paths, ...data } });

  const uploadPage = async (ctx: RequestContext, values: Record<string, unknown>, errors: Record<string, string> = {}): Promise<PageResult> => {
    const failed = Object.keys(errors).length > 0;
    return page(ctx, 'imports/import-upload', paths.title, {
      columns: (await frame.decl.columns(ctx)).map((c) => c.header ?? c.key),
      apiUpload: paths.apiUpload,
      keyOptions: frame.decl.keys,
      values: { match_by: frame.decl.keys[0].value, ...values },
      errors,
      formError: failed ? Object.entries(errors).map(([f, r]) => `${f}: ${r}`).join('; ') : null,
      recent: await frame.recent(ctx),
    }, failed ? 422 : 200);
  };

  return [
    { method: 'GET', path: paths.upload, permission, handler: async (ctx) => uploadPage(ctx, {}) },
    {
      method: 'GET',
      path: `${paths.upload}/template.csv`,
      permission,
      handler: async (ctx, _input, _req, res) => {
        await sendTemplate(frame, ctx, res);
        return HANDLED;
      },
    },
    {
      method: 'POST',
      path: paths.upload,
      permission,
      handler: async (ctx, { body }): Promise<PageResult | RedirectResult> => {
        try {
          const id = await frame.store(ctx, String(body.csv ?? ''), { filename: 'pasted.csv', matchBy: String(body.match_by ?? ''), status: 'preview_queued' });
          await frame.enqueue(ctx, id, true);
          return { redirect: `${paths.imports}/${id}` };
        } catch (error) {
          if (error instanceof ValidationError) return uploadPage(ctx, { match_by: body.match_by, csv: body.csv }, error.fields);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: `${paths.imports}/:id`,
      permission,
      handler: async (ctx, { params }) => {
        const id = Number(params.id) || 0;
        // The job's state is read first and alone decides `running`: read after the import's row, it
        // could already say "completed" while the row said "previewing", and the page would show a
        // finished progress bar that never polls, so never reloads into the report.
        const state = await frame.progress(ctx, id);
        const view = await frame.get(ctx, id);
        const running = !['completed', 'failed'].includes(state.status);
        const validRows = view.created + view.updated;
        const columns = (await frame.decl.columns(ctx)).map((c) => ({ value: c.key, label: c.header ?? c.key }));
        return page(ctx, 'imports/import-status', `Import ${view.filename}`, {
          import: view,
          base: `${paths.imports}/${id}`,
          running,
          jobStatus: state.status,
          progressUrl: `${paths.imports}/${id}/progress`,
          progressLabel: view.dry_run ? 'Checking' : 'Importing',
          matchLabel: keyLabel(view.match_by),
          validRows,
          canImport: validRows > 0,
          truncated: view.error_count > view.errors.length && view.errors.length >= MAX_REPORTED_ERRORS,
          // The mapping step: each header no column matched, with the columns to choose from.
          mapping: view.unknown_headers.map((header) => ({ header, field: `map_${view.file_headers.indexOf(header)}`, options: columns })),
        });
      },
    },
    {
      method: 'GET',
      path: `${paths.imports}/:id/progress`,
      permission,
      handler: async (ctx, { params }, _req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        res.json(await frame.progress(ctx, Number(params.id) || 0));
        return HANDLED;
      },
    },
    {
      method: 'GET',
      path: `${paths.imports}/:id/rejected.csv`,
      permission,
      handler: async (ctx, { params }, _req, res) => {
        await frame.downloadRejected(ctx, Number(params.id) || 0, res);
        return HANDLED;
      },
    },
    {
      method: 'POST',
      path: `${paths.imports}/:id/run`,
      permission,
      handler: async (ctx, { params }): Promise<RedirectResult> => {
        const id = Number(params.id) || 0;
        await frame.enqueue(ctx, id, false);
        return { redirect: `${paths.imports}/${id}` };
      },
    },
    {
      method: 'POST',
      path: `${paths.imports}/:id/mapping`,
      permission,
      handler: async (ctx, { params, body }): Promise<RedirectResult> => {
        const id = Number(params.id) || 0;
        const view = await frame.get(ctx, id);
        const mapping: Record<string, string> = { ...view.mapping };
        view.file_headers.forEach((header, i) => {
          if (typeof body[`map_${i}`] === 'string') mapping[header] = String(body[`map_${i}`]);
        });
        await frame.setMapping(ctx, id, mapping);
        await frame.enqueue(ctx, id, true);
        return { redirect: `${paths.imports}/${id}` };
      },
    },
  ];
}
