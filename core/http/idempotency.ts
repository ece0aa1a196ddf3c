import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type express from 'express';
import type { RequestContext } from '../security/request-context';
import { AppError, ConflictError, ValidationError } from '../errors';
import { isDuplicateKey } from '../db/db-errors';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * The `Idempotency-Key` header for routes that declare `idempotent: true`. The first request with a
 * key claims it (a unique row per company, user, key and route), runs, and stores its response; the
 * same key again answers that response (`Idempotent-Replayed: true`) without running anything. A key
 * still running answers 409; a key reused with another body answers 422; a request that failed
 * frees its key, so the client may retry.
 */
export async function idempotent(knex: Knex, ctx: RequestContext, req: express.Request, res: express.Response, run: () => Promise<StoredResponse | null>): Promise<StoredResponse | null> {
  const key = req.get(IDEMPOTENCY_HEADER);
  if (key === undefined) return run();
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw new ValidationError({ [IDEMPOTENCY_HEADER]: 'must be 1 to 200 visible ASCII characters' });
  const where = { company_id: ctx.companyId, user_id: ctx.principal.userId ?? 0, idem_key: key, route: `${req.method} ${req.path}`.slice(0, 255) };
  const hash = crypto.hash('sha256', JSON.stringify(req.body ?? {}), 'hex');
  const claimed = await knex('core_idempotency_keys')
    .insert({ ...where, request_hash: hash, created_at: new Date() })
    .then(() => true, (error) => (isDuplicateKey(error) ? false : Promise.reject(error)));
  if (!claimed) {
    const row = await knex('core_idempotency_keys').where(where).first();
    if (row && row.request_hash !== hash) throw new ValidationError({ [IDEMPOTENCY_HEADER]: 'was already used with a different request body' });
    if (!row || row.status === null) throw new ConflictError('A request with this Idempotency-Key is still running; retry later', {}, 'idempotency_in_progress');
    res.setHeader('Idempotent-Replayed', 'true');
    return { status: Number(row.status), body: row.response === null ? null : JSON.parse(String(row.response)) };
  }
  try {
    const result = await run();
    await knex('core_idempotency_keys').where(where).update({ status: result?.status ?? 204, response: result ? JSON.stringify(result.body) : null });
    return result;
  } catch (error) {
    // A refusal with a definite answer (4xx) is kept like a success; anything else frees the key.
    if (error instanceof AppError && error.status < 500 && error.status !== 409) {
      await knex('core_idempotency_keys').where(where).update({ status: error.status, response: JSON.stringify({ error: { code: error.code, message: error.message, fields: error.fields } }) });
    } else {
      await knex('core_idempotency_keys').where(where).delete();
    }
    throw error;
  }
}
