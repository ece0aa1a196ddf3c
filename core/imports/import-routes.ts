import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { idParams } from '../http/id-schemas';
import type { JsonSchema } from '../json-schema';
import { HANDLED, type ApiRoute } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import type { ImportFrame } from './import-service';

/** Above this many rows an API import runs as a job unless the caller asks otherwise. */
export const SYNC_ROW_LIMIT = 5000;
// "5,000", grouped by hand: toLocaleString's first call loads ICU's number data (~30 ms) on the way of every start.
const SYNC_ROW_LIMIT_TEXT = String(SYNC_ROW_LIMIT).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Where a module's import lives in its API (relative to `/api/v1/<module>`). */
export interface ImportApiPaths {
  /** `POST` a CSV body here; `GET <upload>/template` is the template. */
  upload: string;
  /** The stored imports: `<imports>/{id}`, `/run`, `/mapping`, `/rejected`. */
  imports: string;
}

export async function sendTemplate(frame: ImportFrame, ctx: RequestContext, res: Response): Promise<void> {
  const columns = await frame.decl.columns(ctx);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${frame.decl.noun.replace(/\W+/g, '-')}s-template.csv"`);
  res.send(stringify([columns.map((c) => c.header ?? c.key)]));
}

export function importSchemas(frame: ImportFrame): { query: JsonSchema; response: JsonSchema } {
  const keys = frame.decl.keys;
  const rowError: JsonSchema = { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' } } };
  return {
    query: {
      type: 'object',
      properties: {
        dry_run: { type: 'boolean', default: false, description: 'Check every row and report, write nothing.' },
        match_by: { type: 'string', enum: keys.map((k) => k.value), default: keys[0].value, description: keys.map((k) => `${k.value}: ${k.label}`).join('; ') },
        filename: { type: 'string', maxLength: 191 },
        async: { type: 'boolean', description: `Run as a job and answer 202 at once; by default files over ${SYNC_ROW_LIMIT_TEXT} rows do.` },
      },
    },
    response: {
      type: 'object',
      properties: {
        id: { type: ['integer', 'null'] },
        status: { type: 'string', enum: ['preview_queued', 'previewing', 'previewed', 'import_queued', 'importing', 'done', 'failed'] },
        dry_run: { type: 'boolean' },
        match_by: { type: 'string' },
        rows_total: { type: 'integer' },
        created: { type: 'integer' },
        updated: { type: 'integer' },
        unchanged: { type: 'integer' },
        error_count: { type: 'integer' },
        errors: { type: 'array', items: rowError },
        file_error: { type: ['string', 'null'] },
        file_headers: { type: 'array', items: { type: 'string' } },
        unknown_headers: { type: 'array', items: { type: 'string' }, description: 'Headers no column matched: send a mapping for them.' },
        mapping: { type: 'object', additionalProperties: { type: 'string' } },
        job_id: { type: ['string', 'null'] },
        progress: { type: 'integer' },
      },
    },
  };
}

/** The JSON API of a declared import: upload (streamed, checked before any byte is read), status, run, mapping, rejected rows. */
export function importApiRoutes(frame: ImportFrame, paths: ImportApiPaths): ApiRoute[] {
  const { permission, noun } = frame.decl;
  const { query, response } = importSchemas(frame);
  return [
    {
      method: 'POST',
      path: paths.upload,
      permission,
      summary: `Import ${noun}s from a CSV body (up to 200 MB, streamed into storage; 401/403 come before any of it is read). \`dry_run=true\` reports every bad row (line, field, reason) and writes nothing; the previewed file can then be imported with \`POST ${paths.imports}/{id}/run\`. Rows matching a stored row by the chosen key (\`match_by\`) update it, so a file can be sent again. Large files (or \`async=true\`) run as a job: 202 with the import to poll.`,
      rawBody: { contentType: 'text/csv' },
      query,
      response,
      handler: async (ctx, { query: q, body }, _req, res) => {
        const matchBy = frame.parseKey(q.match_by);
        const { id, rows } = await frame.upload(ctx, body as AsyncIterable<Buffer>, { filename: q.filename, matchBy, status: q.dry_run ? 'preview_queued' : 'import_queued' });
        if (q.async ?? rows > SYNC_ROW_LIMIT) {
          await frame.enqueue(ctx, id, !!q.dry_run);
          // The router would answer the route's one status; a queued import is 202, so answer here.
          res.status(202).json(await frame.get(ctx, id));
          return HANDLED;
        }
        return frame.run(ctx, id, !!q.dry_run);
      },
    },
    {
      method: 'GET',
      path: `${paths.upload}/template`,
      permission,
      summary: `The CSV template of ${noun}s: its columns, in order`,
      handler: async (ctx, _input, _req, res) => {
        await sendTemplate(frame, ctx, res);
        return HANDLED;
      },
    },
    { method: 'GET', path: `${paths.imports}/{id}`, permission, summary: 'An import: its status, progress and report', params: idParams, response, handler: async (ctx, { params }) => frame.get(ctx, params.id) },
    {
      method: 'POST',
      path: `${paths.imports}/{id}/run`,
      permission,
      summary: 'Import a stored (previewed) file, as a job; asking twice queues one job',
      params: idParams,
      response,
      status: 202,
      handler: async (ctx, { params }) => {
        await frame.enqueue(ctx, params.id, false);
        return frame.get(ctx, params.id);
      },
    },
    {
      method: 'POST',
      path: `${paths.imports}/{id}/mapping`,
      permission,
      summary: "Map the file's headers to columns (a column key, or '' to leave the header out) and preview again, as a job",
      params: idParams,
      body: { type: 'object', required: ['mapping'], additionalProperties: false, properties: { mapping: { type: 'object', additionalProperties: { type: 'string', maxLength: 191 } } } },
      response,
      status: 202,
      handler: async (ctx, { params, body }) => {
        await frame.setMapping(ctx, params.id, (body as { mapping: Record<string, string> }).mapping);
        await frame.enqueue(ctx, params.id, true);
        return frame.get(ctx, params.id);
      },
    },
    {
      method: 'GET',
      path: `${paths.imports}/{id}/rejected`,
      permission,
      summary: "The rows the import's last run rejected, as CSV with an `import_error` column: fix them and send the file again",
      params: idParams,
      handler: async (ctx, { params }, _req, res) => {
        await frame.downloadRejected(ctx, params.id, res);
        return HANDLED;
      },
    },
  ];
}
