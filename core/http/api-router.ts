import express from 'express';
import type { Kernel } from '../kernel/kernel';
import { AUTHENTICATED, HANDLED } from '../modules/module-api';
import { AppError, ForbiddenError, UnauthenticatedError, ValidationError } from './errors';
import { RAW_BODY_LIMIT, requestBody } from './raw-body';
import { validateInput } from './validation';
import { forbiddenQueryKeyFields } from './input-guards';
import { idempotent } from './idempotency';

/**
 * Mounts every declared API route: authentication, permission, ajv-validated input, then the handler.
 * A raw body (an upload) is not read before all of that: the handler gets it as a stream.
 */
export function mountApiRoutes(app: express.Express, kernel: Kernel): void {
  for (const route of kernel.routes.apis) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    app[method](route.expressPath, async (req, res, next) => {
      try {
        const ctx = req.tessera;
        if (!ctx) throw new UnauthenticatedError();
        if (route.permission !== AUTHENTICATED && !ctx.can(route.permission)) throw new ForbiddenError(route.permission);
        const params = validateInput(route.params, { ...req.params }, 'params');
        const hidden = forbiddenQueryKeyFields(req.originalUrl);
        if (Object.keys(hidden).length) throw new ValidationError(hidden);
        const query = validateInput(route.query, { ...(req.query as object) }, 'query');
        if (route.body && !route.rawBody && hasBody(req) && !req.is('application/json')) {
          throw new AppError(415, 'unsupported_media_type', 'The request body must be JSON', { body: 'must be sent as application/json' });
        }
        const body = route.rawBody ? requestBody(req, route.rawBody.maxBytes ?? RAW_BODY_LIMIT) : validateInput(route.body, req.body ?? {}, 'body');
        const answer = async () => {
          const result = await route.handler(ctx, { params, query, body }, req, res);
          if (result === HANDLED || res.headersSent) return null;
          // A handler may pick its own status (202 for work it queued) with res.status() before returning.
          const chosen = res.statusCode !== 200 ? res.statusCode : undefined;
          if (result === undefined || result === null) return { status: chosen ?? route.status ?? 204, body: null };
          return { status: chosen ?? route.status ?? 200, body: result };
        };
        // Routes that create money or records opt in to the Idempotency-Key header.
        const response = route.idempotent ? await idempotent(kernel.knex, ctx, req, res, answer) : await answer();
        if (!response || res.headersSent) return;
        if (response.body === null) res.status(response.status).end();
        else res.status(response.status).json(response.body);
      } catch (error) {
        next(error);
      }
    });
  }
}

/** Whether the request carries a body at all (a length above zero, or a chunked one). */
function hasBody(req: express.Request): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}
