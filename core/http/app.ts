import crypto from 'node:crypto';
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { DatabaseSessionStore } from './session-store';
import { csrfSync } from 'csrf-sync';
import type { HttpServices } from './http-services';
import { AppError, ForbiddenError, UnauthenticatedError, ValidationError } from '../errors';
import { parseId } from './id-schemas';
import { mountAuthRoutes } from './auth-routes';
import { mountPasswordResetRoutes } from './password-reset-routes';
import { isJson, mountApiRoutes } from './api-router';
import { mountPageRoutes } from './page-router';
import { PageRenderer } from './page-renderer';
import { buildOpenApi } from './openapi';
import { closeUnreadBody } from './raw-body';
import { mountVendorFiles } from './vendor-files';
import type { RequestContext } from '../security/request-context';
import { mountPublicRoutes } from './public-router';
import { JSON_BODY_LIMIT, apiFastPath, presetFields, securityHeaders } from './api-fast-path';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    companyId?: number;
    flash?: Array<{ type: string; message: string }>;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      tessera?: RequestContext;
      viaToken?: boolean;
    }
  }
}

export interface HttpApp {
  app: express.Express;
  /** API calls the fast path answered (tests check that a request took it). */
  readonly counts: { fastApi: number };
  close(): Promise<void>;
}

/**
 * Assembles the web process: secure headers, static files, sessions in the database, bearer tokens,
 * CSRF for cookie sessions, then the routes modules declared, each behind its permission.
 */
export interface HttpAppOptions {
  /** Bearer API calls past express's middleware (default: on, unless TESSERA_API_FAST_PATH=0). */
  apiFastPath?: boolean;
}

export function createHttpApp(host: HttpServices, options: HttpAppOptions = {}): HttpApp {
  const { settings, people } = host;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', weakETag);
  app.set('query parser', 'extended');
  if (settings.trustProxy) app.set('trust proxy', 1);

  const helmetMiddleware = helmet({
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], formAction: ["'self'"], frameAncestors: ["'none'"], upgradeInsecureRequests: null },
    },
    hsts: settings.secureCookies,
  });
  app.use(helmetMiddleware);

  // Files under /static/ in a router of their own: any other request (an API call above all) passes
  // one check instead of trying a dozen mounts and routes. Only GET and HEAD read a file; any other
  // method went on past all of them anyway.
  const statics = express.Router();
  statics.use('/static/shell', express.static(path.join(settings.rootDir, 'views', 'static'), { maxAge: '1h' }));
  mountVendorFiles(statics);
  for (const source of host.modules) {
    statics.use(`/static/${source.manifest.name}`, express.static(path.join(source.dir, 'public'), { maxAge: '1h' }));
  }
  app.use((req, res, next) => ((req.method === 'GET' || req.method === 'HEAD') && STATIC_PATH.test(req.path) ? statics(req, res, next) : next()));

  app.get('/healthz', async (_req, res) => {
    const health = await host.health();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });

  const store = new DatabaseSessionStore({ knex: host.sessionDb, tableName: 'core_sessions', createTable: false, cleanupInterval: 10 * 60_000 });
  const sessions = session({
    name: 'tessera.sid',
    secret: host.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: settings.secureCookies, maxAge: 8 * 3600_000 },
  });
  // An API call with a bearer token is authenticated by the token alone (below) and no API route reads
  // the session: making and hashing a session it would never keep cost every integrator's call CPU.
  app.use((req, res, next) => (isBearerApiCall(req) ? next() : sessions(req, res, next)));

  // Who is asking: a bearer token (integrators) or the session cookie (people).
  const authenticate = async (req: Request): Promise<void> => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      req.viaToken = true;
      const token = header.slice(7).trim();
      const companyHeader = companyChosen(req.headers['x-company-id']);
      let principal;
      if (people.principalForToken) {
        principal = await people.principalForToken(token, companyHeader);
      } else {
        const userId = await people.authenticateToken(token);
        if (!userId) throw new UnauthenticatedError();
        principal = await people.principalForUser(userId, companyHeader, 'token');
      }
      if (!principal) throw new UnauthenticatedError();
      // Falling back to another company would put the caller's writes where it did not ask.
      if (companyHeader !== null && principal.companyId !== companyHeader) throw ForbiddenError.because('X-Company-Id names a company you do not work in', { 'x-company-id': 'is not one of your companies' });
      req.tessera = people.contextFor(principal);
    } else if (req.session.userId) {
      const principal = await people.principalForUser(req.session.userId, req.session.companyId ?? null, 'session');
      if (principal) req.tessera = people.contextFor(principal);
      else delete req.session.userId;
    }
  };
  app.use((req, _res, next) => authenticate(req).then(() => next(), next));

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? (req.headers['x-csrf-token'] as string | undefined),
    // Bearer requests carry no ambient credential, so a forged cross-site request cannot use them;
    // an API call with no session at all acts as nobody and gets its 401 from the route.
    skipCsrfProtection: (req) => req.viaToken === true || (isApiPath(req.path) && !req.tessera),
    errorConfig: { statusCode: 403, message: 'Invalid or missing CSRF token; reload the page and try again', code: 'csrf_invalid' },
  });
  // A form body is parsed; the parser would otherwise read every request's Content-Type (a JSON API
  // call's too) only to find it is not one.
  const urlencoded = express.urlencoded({ extended: true, limit: '2mb' });
  app.use((req, res, next) => (FORM_TYPE.test(req.headers['content-type'] ?? '') ? urlencoded(req, res, next) : next()));
  // The same test of the Content-Type as the parser's own, without parsing the usual `application/json`.
  app.use('/api', express.json({ limit: JSON_BODY_LIMIT, type: (req) => isJson(req as Request) }));
  app.use((req, res, next) => {
    // Raw bodies (CSV uploads) are read by their route; CSRF for them comes from the header.
    csrfSynchronisedProtection(req, res, next);
  });

  const renderer = new PageRenderer(host.shell, host.logger, (req) => generateToken(req));
  mountAuthRoutes(app, people, renderer);
  mountPasswordResetRoutes(app, host.passwordResets, renderer, settings.publicUrl);

  app.get('/api/v1/openapi.json', (req, res, next) => {
    if (!req.tessera) return next(new UnauthenticatedError());
    res.json(buildOpenApi(host.routes.apis, settings.version));
  });
  const apiRouters = mountApiRoutes(app, host.routes.apis, host.idempotencyDb);
  mountPublicRoutes(app, host.routes.publics, host.publicAccess, renderer);
  mountPageRoutes(app, host.routes.pages, renderer);

  app.use('/api', (_req, _res, next) => next(new AppError(404, 'not_found', 'No such API route')));
  app.use((req, res) => {
    void renderer.error(req, res, 404, 'Page not found');
  });
  const answerError = (error: unknown, req: Request, res: Response): void => {
    const known = toAppError(error);
    closeUnreadBody(req, res);
    // 503: a part the request needs (the job queue) does not answer; the message says which and what to do.
    const unavailable = known.status === 503;
    if (unavailable) {
      host.logger.warn({ path: req.path, reason: known.message }, 'request refused: a service is unavailable');
      res.setHeader('Retry-After', '5');
    } else if (known.status >= 500) host.logger.error({ err: error, path: req.path }, 'request failed');
    if (isApiPath(req.path)) {
      res.status(known.status).json({ error: { code: known.code, message: known.message, fields: known.fields } });
      return;
    }
    if (known.status === 401) {
      res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    void renderer.error(req, res, known.status, known.status >= 500 && !unavailable ? 'Something went wrong on our side. It has been logged.' : known.message);
  };
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => answerError(error, req, res));

  // A bearer API call to a declared route is answered without walking the middleware above, with the
  // same steps and the same answer (core/http/api-fast-path.ts); anything else goes through express,
  // its fields added before express swaps the request's prototype (presetFields says why).
  const counts = { fastApi: 0 };
  const fast = (options.apiFastPath ?? process.env.TESSERA_API_FAST_PATH !== '0')
    ? apiFastPath({ app, routers: apiRouters, idempotencyDb: host.idempotencyDb, securityHeaders: securityHeaders(helmetMiddleware), authenticate, answerError, csrfToken: (req) => (overwrite?: boolean) => generateToken(req, overwrite) })
    : null;
  // express's app is `(req, res, next) => app.handle(req, res, next)`, for a server and supertest alike.
  const handled = app as unknown as { handle(req: Request, res: Response, callback?: NextFunction): void };
  const slow = handled.handle.bind(app);
  handled.handle = (req, res, callback) => {
    if (fast?.(req, res)) counts.fastApi += 1;
    else {
      presetFields(req, res);
      slow(req, res, callback);
    }
  };

  return {
    app,
    counts,
    close: async () => {
      store.stop();
      await store.ready.catch(() => undefined);
    },
  };
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // A path with broken percent-encoding (`/api/v1/shops/%E0%A4%A`): express cannot read its parameters.
  if (error instanceof URIError) return new AppError(400, 'bad_request', 'The path is not valid percent-encoding', { path: 'is not valid percent-encoding' });
  const e = error as { status?: number; statusCode?: number; code?: string; message?: string; type?: string };
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'The request body is not valid JSON', { body: 'is not valid JSON' });
  if (e?.type === 'entity.too.large') return new AppError(413, 'too_large', 'The request body is too large', { body: 'is too large' });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError(415, 'unsupported_media_type', e.message ?? 'Unsupported body encoding', { body: 'has an encoding this server does not read' });
  if (e?.code === 'csrf_invalid' || e?.message?.includes('CSRF')) return new AppError(403, 'csrf_invalid', e.message ?? 'Invalid CSRF token');
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500) return new AppError(status, 'bad_request', e.message ?? 'Bad request');
  return new AppError(500, 'internal_error', 'Internal error');
}

/** Everything under `/api/` answers JSON; express matches routes without regard to case, so this does too. */
export function isApiPath(path: string): boolean {
  return /^\/api(\/|$)/i.test(path);
}

/**
 * express's default ETag (`etag: 'weak'`): `W/"<byte length in hex>-<SHA-1 in base64, 27 characters>"`,
 * the same value, hashed in one call: every JSON answer gets one, and a Hash object per call cost more
 * than the digest.
 */
export function weakETag(body: Buffer | string, encoding?: BufferEncoding): string {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, encoding);
  return `W/"${bytes.length.toString(16)}-${crypto.hash('sha1', bytes, 'base64').slice(0, 27)}"`;
}

/** Where static files are served: matched without regard to case, as express matches their mounts. */
const STATIC_PATH = /^\/static\//i;

/** Any Content-Type the urlencoded parser takes contains this (its media type, compared in lower case). */
const FORM_TYPE = /application\/x-www-form-urlencoded/i;

/** An API path asked for with a bearer token: such a request never uses the session cookie. */
function isBearerApiCall(req: Request): boolean {
  return req.headers.authorization?.startsWith('Bearer ') === true && isApiPath(req.path);
}

/** `X-Company-Id`, when sent: a company id in decimal digits. */
function companyChosen(value: string | string[] | undefined): number | null {
  if (value === undefined) return null;
  const id = parseId(Array.isArray(value) ? value[0] : value);
  if (id === null) throw new ValidationError({ 'x-company-id': 'must be a company id in decimal digits' });
  return id;
}
