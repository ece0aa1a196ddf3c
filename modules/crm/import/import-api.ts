import type { Container } from 'inversify';
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { type ApiRoute, HANDLED, type RequestContext } from 'tessera/core';
import { CRM } from '../api';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import { idParams, importQuery, importSchema } from '../customers/customer-schemas';
import { templateHeader } from './csv-columns';
import { ImportService, parseMatchBy, SYNC_ROW_LIMIT } from './import-service';

export async function sendTemplate(ctx: RequestContext, res: Response): Promise<void> {
  const settings = await crmSettings(ctx);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="customers-template.csv"');
  res.send(stringify([templateHeader(settings.custom_fields)]));
}

/** `/api/v1/crm/customers/import...` and `/api/v1/crm/imports/{id}`. */
export function importApiRoutes(container: Container): ApiRoute[] {
  const imports = () => container.get<ImportService>(CRM.Imports);
  return [
    {
      method: 'POST',
      path: '/customers/import',
      permission: PERM.customerImport,
      summary:
        'Import customers from a CSV body (up to 200 MB, streamed into storage; 401/403 come before any of it is read). `dry_run=true` reports every bad row (line, field, reason) and writes no customer; the previewed file can then be imported with `POST /imports/{id}/run`. Rows matching a customer (code, else e-mail, else phone; see `match_by`) update it, so a file can be sent again. Large files (or `async=true`) run as a job: 202 with the import to poll.',
      rawBody: { contentType: 'text/csv' },
      query: importQuery,
      response: importSchema,
      handler: async (ctx, { query, body }, _req, res) => {
        const matchBy = parseMatchBy(query.match_by);
        const { id, rows } = await imports().upload(ctx, body as AsyncIterable<Buffer>, { filename: query.filename, matchBy, status: query.dry_run ? 'preview_queued' : 'import_queued' });
        const runAsJob = query.async ?? rows > SYNC_ROW_LIMIT;
        if (runAsJob) {
          await imports().enqueue(ctx, id, !!query.dry_run);
          // The router would answer the route's one status; a queued import is 202, so answer here.
          res.status(202).json(await imports().get(ctx, id));
          return HANDLED;
        }
        return imports().run(ctx, id, !!query.dry_run);
      },
    },
    {
      method: 'GET',
      path: '/customers/import/template',
      permission: PERM.customerImport,
      summary: "The CSV template: the standard columns and the company's custom fields",
      handler: async (ctx, _input, _req, res) => {
        await sendTemplate(ctx, res);
        return HANDLED;
      },
    },
    {
      method: 'GET',
      path: '/imports/{id}',
      permission: PERM.customerImport,
      summary: 'An import: its status, progress and report',
      params: idParams,
      response: importSchema,
      handler: async (ctx, { params }) => imports().get(ctx, params.id),
    },
    {
      method: 'POST',
      path: '/imports/{id}/run',
      permission: PERM.customerImport,
      summary: 'Import a stored (previewed) file, as a job; asking twice queues one job',
      params: idParams,
      response: importSchema,
      status: 202,
      handler: async (ctx, { params }) => {
        await imports().enqueue(ctx, params.id, false);
        return imports().get(ctx, params.id);
      },
    },
  ];
}
