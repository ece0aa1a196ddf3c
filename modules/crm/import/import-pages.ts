import type { Container } from 'inversify';
import { ValidationError, type PageResult, type PageRoute, type RedirectResult, HANDLED, type RequestContext } from 'tessera/core';
import { CRM } from '../api';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import { templateHeader } from './csv-columns';
import { sendTemplate } from './import-api';
import { MAX_REPORTED_ERRORS } from './csv-import';
import { ImportService } from './import-service';

const MATCH_OPTIONS = [
  { value: 'auto', label: 'Code, else e-mail, else phone' },
  { value: 'code', label: 'Code' },
  { value: 'email', label: 'E-mail' },
  { value: 'phone', label: 'Phone' },
];
const MATCH_LABELS: Record<string, string> = { auto: 'code, else e-mail, else phone', code: 'code', email: 'e-mail', phone: 'phone' };

/** Upload, preview report, import with a progress bar. */
export function importPageRoutes(container: Container): PageRoute[] {
  const imports = () => container.get<ImportService>(CRM.Imports);

  const uploadPage = async (ctx: RequestContext, values: Record<string, unknown>, errors: Record<string, string> = {}): Promise<PageResult> => {
    const settings = await crmSettings(ctx);
    return {
      view: 'crm/import/import-upload',
      title: 'Import customers',
      status: Object.keys(errors).length ? 422 : 200,
      data: {
        columns: templateHeader(settings.custom_fields),
        matchOptions: MATCH_OPTIONS,
        values: { match_by: 'auto', ...values },
        errors,
        formError: Object.keys(errors).length ? Object.entries(errors).map(([f, r]) => `${f}: ${r}`).join('; ') : null,
        recent: await imports().recent(ctx),
      },
    };
  };

  return [
    {
      method: 'GET',
      path: '/crm/customers/import',
      permission: PERM.customerImport,
      handler: async (ctx) => uploadPage(ctx, {}),
    },
    {
      method: 'GET',
      path: '/crm/customers/import/template.csv',
      permission: PERM.customerImport,
      handler: async (ctx, _input, _req, res) => {
        await sendTemplate(ctx, res);
        return HANDLED;
      },
    },
    {
      method: 'POST',
      path: '/crm/customers/import',
      permission: PERM.customerImport,
      handler: async (ctx, { body }): Promise<PageResult | RedirectResult> => {
        try {
          const id = await imports().store(ctx, String(body.csv ?? ''), { filename: 'pasted.csv', matchBy: String(body.match_by ?? 'auto'), status: 'preview_queued' });
          await imports().enqueue(ctx, id, true);
          return { redirect: `/crm/imports/${id}` };
        } catch (error) {
          if (error instanceof ValidationError) return uploadPage(ctx, { match_by: body.match_by, csv: body.csv }, error.fields);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: '/crm/imports/:id',
      permission: PERM.customerImport,
      handler: async (ctx, { params }) => {
        const id = Number(params.id) || 0;
        // The job's state is read first and alone decides `running`: read after the import's row, it
        // could already say "completed" while the row said "previewing", and the page would show a
        // finished progress bar that never polls, so never reloads into the report.
        const state = await imports().progress(ctx, id);
        const view = await imports().get(ctx, id);
        const running = !['completed', 'failed'].includes(state.status);
        const validRows = view.created + view.updated;
        return {
          view: 'crm/import/import-status',
          title: `Import ${view.filename}`,
          data: {
            import: view,
            running,
            jobStatus: state.status,
            progressUrl: `/crm/imports/${id}/progress`,
            progressLabel: view.dry_run ? 'Checking' : 'Importing',
            matchLabel: MATCH_LABELS[view.match_by] ?? view.match_by,
            validRows,
            canImport: validRows > 0,
            truncated: view.error_count > view.errors.length && view.errors.length >= MAX_REPORTED_ERRORS,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/crm/imports/:id/progress',
      permission: PERM.customerImport,
      handler: async (ctx, { params }, _req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        res.json(await imports().progress(ctx, Number(params.id) || 0));
        return HANDLED;
      },
    },
    {
      method: 'POST',
      path: '/crm/imports/:id/run',
      permission: PERM.customerImport,
      handler: async (ctx, { params }): Promise<RedirectResult> => {
        const id = Number(params.id) || 0;
        await imports().enqueue(ctx, id, false);
        return { redirect: `/crm/imports/${id}` };
      },
    },
  ];
}
