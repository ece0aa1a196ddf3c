import { once } from 'node:events';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import { CsvError } from 'csv-parse';
import { ConflictError } from '../errors';
import type { ScopedDb } from '../data/scoped-db';
import { csvSafe } from '../resources/field-display';
import { csvRecords } from './csv-records';
import { readImportFile } from './import-files';
import { headerKey, REJECT_COLUMN } from './import-header';

export const REJECTS = 'core_import_rejects';

/** Forgets the lines a previous run of the import rejected: each run keeps its own. */
export async function clearRejects(db: ScopedDb, companyId: number, importId: number): Promise<void> {
  await db.queryCompany(companyId, REJECTS).where('import_id', importId).delete();
}

export async function saveRejects(db: ScopedDb, companyId: number, importId: number, rejects: Array<{ line: number; reason: string }>): Promise<void> {
  db.assertCompany(companyId);
  const knex = db.unscoped('rejected lines of an import of the caller company (asserted above)');
  for (let i = 0; i < rejects.length; i += 500) {
    const rows = rejects.slice(i, i + 500).map((r) => ({ company_id: companyId, import_id: importId, line: r.line, reason: r.reason.slice(0, 4000) }));
    await knex(REJECTS).insert(rows).onConflict(['import_id', 'line']).ignore();
  }
}

/**
 * Streams the rejected rows of an import as CSV: the file's own header and cells, plus an
 * `import_error` column with the reasons. Fixed and sent again, the file imports (the frame ignores
 * that column); rows already imported are matched by their key, not duplicated. The stored file is
 * read again chunk by chunk, the rejected lines a page at a time: memory stays flat.
 */
export async function streamRejects(db: ScopedDb, companyId: number, importId: number, filename: string, res: Response): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_')}-rejected.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  const csv = stringify();
  csv.pipe(res);
  const write = async (cells: string[]) => {
    if (!csv.write(cells.map(csvSafe))) await once(csv, 'drain');
  };
  let page: Array<{ line: number; reason: string }> = [];
  let afterLine = 0;
  let next = 0;
  const nextPage = async () => {
    page = (await db.queryCompany(companyId, REJECTS).where('import_id', importId).where('line', '>', afterLine).orderBy('line').limit(1000).select('line', 'reason')) as typeof page;
    page = page.map((r) => ({ line: Number(r.line), reason: String(r.reason) }));
    next = 0;
    if (page.length) afterLine = page[page.length - 1].line;
  };
  try {
    await nextPage();
    let skip = -2;
    for await (const { record, info } of await csvRecords(readImportFile(db, companyId, importId))) {
      const cells = (r: string[]) => r.filter((_, i) => i !== skip);
      if (skip === -2) {
        skip = record.findIndex((h) => headerKey(h) === REJECT_COLUMN);
        await write([...cells(record), REJECT_COLUMN]);
        continue;
      }
      for (;;) {
        while (next < page.length && page[next].line < info.lines) next++;
        if (next < page.length || !page.length) break;
        await nextPage();
      }
      if (!page.length || res.destroyed) break;
      if (page[next].line === info.lines) await write([...cells(record), page[next].reason]);
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // The run refused this file as a whole (it has no rows to hand back): say so, unless bytes already left.
    if (res.headersSent) return void res.destroy();
    csv.unpipe(res);
    for (const header of ['Content-Type', 'Content-Disposition', 'Cache-Control']) res.removeHeader(header);
    throw new ConflictError('The stored file cannot be read as CSV, so no row of it was rejected on its own: send a corrected file.', { id: 'has no rejected rows' });
  } finally {
    csv.end();
  }
  if (!res.writableFinished) await new Promise((resolve) => (res.once('finish', resolve), res.once('close', resolve)));
}
