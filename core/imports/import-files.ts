import crypto from 'node:crypto';
import type { ScopedDb } from '../data/scoped-db';
import { ValidationError } from '../errors';
import type { RequestContext } from '../security/request-context';

export const IMPORTS = 'core_imports';
export const CHUNKS = 'core_import_chunks';
/** Bytes per stored chunk of an uploaded file: big enough to be few, small enough to hold one at a time. */
export const IMPORT_CHUNK_BYTES = 1024 * 1024;

/** A file's bytes as they arrive: an upload's chunks, or text already in memory (a pasted file). */
export type FileSource = string | AsyncIterable<Buffer | string>;

export interface StoredFile {
  id: number;
  bytes: number;
  /** Lines after the header, as the sync-or-job choice counts them. */
  rows: number;
}

/**
 * Streams an uploaded file into the database as numbered chunks under a new import row, holding at
 * most one chunk in memory. There is no transaction around it (an upload lasts as long as the client
 * takes, and SQLite has one writer): the row says `uploading` until the last chunk is in, and an
 * upload that fails or turns out empty leaves nothing behind.
 */
export async function storeUpload(ctx: RequestContext, source: FileSource, fields: { kind: string; filename: string; match_by: string; status: string }): Promise<StoredFile> {
  const companyId = ctx.companyId;
  await dropAbandonedUploads(ctx.db, companyId);
  // Uploads are not audited as plain inserts: the entry below names the file, it does not copy it.
  const id = await ctx.db.insert(IMPORTS, { kind: fields.kind, filename: fields.filename, sha256: '', match_by: fields.match_by, status: 'uploading' }, { audit: false });
  let written: Awaited<ReturnType<typeof writeChunks>>;
  try {
    written = await writeChunks(ctx.db, companyId, id, source);
    if (!written.nonBlank) throw new ValidationError({ file: 'is empty' });
  } catch (error) {
    await ctx.db.queryCompany(companyId, CHUNKS).where('import_id', id).delete();
    await ctx.db.remove(IMPORTS, id, { audit: false });
    throw error;
  }
  await ctx.db.transaction(async (db) => {
    await db.update(IMPORTS, id, { sha256: written.sha256, size_bytes: written.bytes, status: fields.status }, { audit: false });
    await db.audit({ table: IMPORTS, recordId: id, action: 'create', changes: { kind: fields.kind, filename: fields.filename, sha256: written.sha256, match_by: fields.match_by, size_bytes: written.bytes } });
  });
  return { id, bytes: written.bytes, rows: written.newlines - (written.endsWithNewline ? 1 : 0) };
}

/** Uploads a process died in the middle of (their row still says `uploading` a day later) are removed. */
async function dropAbandonedUploads(db: ScopedDb, companyId: number): Promise<void> {
  const abandoned = (await db.queryCompany(companyId, IMPORTS).where('status', 'uploading').where('created_at', '<', new Date(Date.now() - 24 * 3600_000)).pluck('id')) as number[];
  if (!abandoned.length) return;
  await db.queryCompany(companyId, CHUNKS).whereIn('import_id', abandoned).delete();
  await db.queryCompany(companyId, IMPORTS).whereIn('id', abandoned).delete();
}

async function writeChunks(db: ScopedDb, companyId: number, importId: number, source: FileSource) {
  db.assertCompany(companyId);
  const knex = db.unscoped('chunks of an import of the caller company (asserted above)');
  const hash = crypto.createHash('sha256');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  const stats = { bytes: 0, newlines: 0, nonBlank: false, endsWithNewline: false };
  const flush = async (last: boolean) => {
    while (pendingBytes >= IMPORT_CHUNK_BYTES || (last && pendingBytes > 0)) {
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
      await knex(CHUNKS).insert({ company_id: companyId, import_id: importId, seq: seq++, data: all.subarray(0, IMPORT_CHUNK_BYTES) });
      const rest = all.subarray(IMPORT_CHUNK_BYTES);
      pending = rest.length ? [rest] : [];
      pendingBytes = rest.length;
    }
  };
  for await (const piece of typeof source === 'string' ? [source] : source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    if (!chunk.length) continue;
    hash.update(chunk);
    stats.bytes += chunk.length;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) stats.newlines++;
    stats.endsWithNewline = chunk[chunk.length - 1] === 0x0a;
    if (!stats.nonBlank) stats.nonBlank = /\S/.test(chunk.toString('latin1'));
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= IMPORT_CHUNK_BYTES) await flush(false);
  }
  await flush(true);
  return { ...stats, sha256: hash.digest('hex') };
}

/** A stored file's bytes in order, one chunk read at a time, as an import reads it. */
export async function* readImportFile(db: ScopedDb, companyId: number, importId: number): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const row = (await db.queryCompany(companyId, CHUNKS).where({ import_id: importId, seq }).first('data')) as { data: Buffer } | undefined;
    if (!row) return;
    yield Buffer.from(row.data);
  }
}
