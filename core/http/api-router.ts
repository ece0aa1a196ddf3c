import express from 'express';
import type { Knex } from 'knex';
import type { DeclaredApiRoute } from './route-table';
import { AUTHENTICATED, HANDLED } from '../modules/module-api';
import { AppError, ForbiddenError, UnauthenticatedError, ValidationError } from '../errors';
import { RAW_BODY_LIMIT, requestBody } from './raw-body';
import { validateInput } from './validation';
import { forbiddenQueryKeyFields } from './input-guards';
import { idempotent, type StoredResponse } from './idempotency';

/** The routers mountApiRoutes made, by module segment (lower case): the API fast path tries the same layers. */
export type ApiRouters = ReadonlyMap<string, express.Router>;

/**
 * Mounts every declared API route: authentication, permission, ajv-validated input, then the handler.
 * A raw body (an upload) is not read before all of that: the handler gets it as a stream.
 */
export function mountApiRoutes(app: express.Express, routes: readonly DeclaredApiRoute[], idempotencyDb: Knex): ApiRouters {
  // Each module's routes in a router of its own, picked by the module's segment of the path: express
  // tries routes one by one, and a request should not be matched against every other module's
  // hundreds before its own. Paths under /api/v1/<module>/ are only ever declared by that module, so
  // the order of tries within a module (most specific first) is all that order ever decided. The
  // routers keep the full paths and are not mounted at a prefix, so req.path and req.url stay whole.
  const byModule = new Map<string, express.Router>();
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    const moduleKey = route.module.toLowerCase();
    let router = byModule.get(moduleKey);
    if (!router) byModule.set(moduleKey, (router = express.Router()));
    const handler = async (req: express.Request, res: express.Response, next: express.NextFunction) => {
      try {
        const response = await answerApiRoute(route, idempotencyDb, req, res);
        if (!response || res.headersSent) return;
        if (response.body === null) res.status(response.status).end();
        else res.status(response.status).json(response.body);
      } catch (error) {
        next(error);
      }
    };
    apiRouteOf.set(handler, route);
    router[method](route.expressPath, handler);
  }
  app.use((req, res, next) => {
    // express matches paths without regard to case, so the module's segment is looked up the same way.
    // OPTIONS goes on as before: a router would answer it with an Allow list where the app answers 404.
    const router = req.method === 'OPTIONS' ? undefined : byModule.get(API_MODULE.exec(req.path)?.[1].toLowerCase() ?? '');
    if (router) router(req, res, next);
    else next();
  });
  return byModule;
}

/** The declared route behind each handler mounted above, for the fast path reading the routers' layers. */
export const apiRouteOf = new WeakMap<object, DeclaredApiRoute>();

/**
 * One API call once its caller is known and its JSON body read: permission, params, query and body
 * checked, then the handler (under its Idempotency-Key when the route takes one). Answers what to send,
 * or null when the handler answered itself.
 */
export async function answerApiRoute(route: DeclaredApiRoute, idempotencyDb: Knex, req: express.Request, res: express.Response): Promise<StoredResponse | null> {
  const ctx = req.tessera;
  if (!ctx) throw new UnauthenticatedError();
  if (route.permission !== AUTHENTICATED && !ctx.can(route.permission)) throw new ForbiddenError(route.permission);
  const params = validateInput(route.params, { ...req.params }, 'params');
  const hidden = forbiddenQueryKeyFields(req.originalUrl);
  if (Object.keys(hidden).length) throw new ValidationError(hidden);
  const query = validateInput(route.query, { ...(req.query as object) }, 'query');
  if (route.body && !route.rawBody && hasBody(req) && !isJson(req)) {
    throw new AppError(415, 'unsupported_media_type', 'The request body must be JSON', { body: 'must be sent as application/json' });
  }
  const body = route.rawBody ? requestBody(req, route.rawBody.maxBytes ?? RAW_BODY_LIMIT) : validateInput(route.body, req.body ?? {}, 'body');
  const answer = async (): Promise<StoredResponse | null> => {
    const result = await route.handler(ctx, { params, query, body }, req, res);
    if (result === HANDLED || res.headersSent) return null;
    // A handler may pick its own status (202 for work it queued) with res.status() before returning.
    const chosen = res.statusCode !== 200 ? res.statusCode : undefined;
    if (result === undefined || result === null) return { status: chosen ?? route.status ?? 204, body: null };
    return { status: chosen ?? route.status ?? 200, body: result };
  };
  // Routes that create money or records opt in to the Idempotency-Key header.
  return route.idempotent ? idempotent(idempotencyDb, ctx, req, res, answer) : answer();
}

const API_MODULE = /^\/api\/v1\/([^/]+)(?:\/|$)/i;

/**
 * Whether the body is JSON, as `req.is('application/json')` answers. Nearly every client sends exactly
 * `application/json`, which needs no parsing of the header; anything else (parameters, case) is
 * left to req.is.
 */
export function isJson(req: express.Request): boolean {
  return req.headers['content-type'] === 'application/json' || Boolean(req.is('application/json'));
}

/** Whether the request carries a body at all (a length above zero, or a chunked one). */
function hasBody(req: express.Request): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}
