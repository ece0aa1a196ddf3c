import crypto from 'node:crypto';
import type express from 'express';
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { DeclaredApiRoute } from './route-table';
import { answerApiRoute, apiRouteOf, type ApiRouters } from './api-router';

/**
 * The API fast path. An integrator's call (a bearer token, a declared route, a JSON body or none) used
 * to walk express's whole stack: helmet computing the same dozen headers, the static, session, form
 * and CSRF checks that all step aside for it, body-parser and raw-body with their charset decoder,
 * then the module's router, and res.json/res.send with their header bookkeeping. Here the same steps
 * run without the walk: the same headers (helmet's, computed once), the same authentication and
 * error answer (passed in from app.ts), the same layers of the module's router tried in the same order
 * (only those of the request's method), the same body rules as express.json, the same route code
 * (answerApiRoute), and the JSON answer written with the headers res.json would give it.
 *
 * Anything this does not handle exactly like the old path is left to it, decided from the request
 * line and headers before anything is read: HEAD, OPTIONS, another spelling of `/api/v1/`, a path
 * with characters parseurl would rework, a raw-body route, a Content-Type other than exactly
 * `application/json`, a compressed or chunked body, or one declared larger than the parser's limit.
 * test/core/http/api-fast-path.test.ts asks both paths the same questions and compares the answers.
 */
export interface ApiFastPathOptions {
  app: express.Express;
  routers: ApiRouters;
  idempotencyDb: Knex;
  /** helmet's headers, in the order helmet sets them. */
  securityHeaders: ReadonlyArray<readonly [string, string]>;
  /** The authentication step of app.ts: sets req.tessera from the bearer token, or throws. */
  authenticate(req: Request): Promise<void>;
  /** The error handler of app.ts. */
  answerError(error: unknown, req: Request, res: Response): void;
  /** What csrf-sync puts on every request it sees as `req.csrfToken`. */
  csrfToken(req: Request): (overwrite?: boolean) => string;
}

/** The largest JSON body an API call may send, on this path and express's (app.ts gives it to express.json). */
export const JSON_BODY_LIMIT = 2 * 1024 * 1024;

interface Candidate {
  layer: RouterLayer;
  route: DeclaredApiRoute;
}

/** What express's router keeps per route: its matcher (false, or the parameters it read). */
interface RouterLayer {
  match(path: string): false | { params: Record<string, string> };
  route: unknown;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** A path parseurl takes as it is (no fragment, space or control character to rework). */
const PLAIN_PATH = /^\/api\/v1\/[\w\-.~%:@!$&'()*+,;=/]*$/;

/** Returns a function that answers the request and says true, or says false and leaves it alone. */
export function apiFastPath(options: ApiFastPathOptions): (req: Request, res: Response) => boolean {
  const { app, idempotencyDb, securityHeaders, authenticate, answerError, csrfToken } = options;
  // Per module and method, the routers' own layers in the routers' order: the first that matches is
  // the route the router would have run (a route layer only runs for its own method).
  const table = new Map<string, Candidate[]>();
  for (const [moduleKey, router] of options.routers) {
    for (const layer of (router as unknown as { stack: Array<RouterLayer & { route?: { methods: Record<string, boolean>; stack: Array<{ handle: object }> } }> }).stack) {
      const route = layer.route && apiRouteOf.get(layer.route.stack[0]?.handle);
      if (!route || !layer.route) continue;
      const key = `${route.method.toUpperCase()} ${moduleKey}`;
      if (!table.has(key)) table.set(key, []);
      table.get(key)!.push({ layer, route });
    }
  }
  // express's app settings that change what res.json writes; with any of them set, res.json writes.
  const plainJson = !app.get('json replacer') && !app.get('json spaces') && !app.get('json escape');

  const run = async (candidate: Candidate, req: Request, res: Response, hasJsonBody: boolean): Promise<void> => {
    try {
      await authenticate(req);
      if (hasJsonBody) req.body = parseJson(await readText(req));
      const response = await answerApiRoute(candidate.route, idempotencyDb, req, res);
      if (!response || res.headersSent) return;
      if (response.body === null) res.status(response.status).end();
      else if (plainJson) sendJson(req, res, response.status, response.body);
      else res.status(response.status).json(response.body);
    } catch (error) {
      // express's last resort (finalhandler) when an error comes after the answer began, or when the
      // error handler itself fails: drop the connection. Nothing may escape: this promise has no reader.
      try {
        if (res.headersSent) req.socket?.destroy();
        else answerError(error, req, res);
      } catch {
        req.socket?.destroy();
      }
    }
  };

  return (req, res) => {
    if (!METHODS.has(req.method) || !req.headers.authorization?.startsWith('Bearer ')) return false;
    const url = req.url;
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    if (!PLAIN_PATH.test(path)) return false;
    const body = bodyKind(req.headers);
    if (body === null) return false;
    const end = path.indexOf('/', 8);
    const candidates = table.get(`${req.method} ${(end < 0 ? path.slice(8) : path.slice(8, end)).toLowerCase()}`);
    if (!candidates) return false;
    let found: Candidate | undefined;
    let params: Record<string, string> | undefined;
    try {
      for (const candidate of candidates) {
        const match = candidate.layer.match(path);
        if (!match) continue;
        found = candidate;
        params = match.params;
        break;
      }
    } catch {
      return false; // broken percent-encoding: express answers it
    }
    if (!found || found.route.rawBody) return false;

    // What express's app.handle, router and Route.dispatch set up, and what the middleware leaves behind,
    // all added before the prototypes change (see presetFields).
    presetFields(req, res);
    req.originalUrl = url;
    req.baseUrl = '';
    req.params = params!;
    (req as Request & { route: unknown }).route = found.layer.route;
    req.csrfToken = csrfToken(req);
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    void run(found, req, res, body === 'json');
    return true;
  };
}

/**
 * Adds, as they are before express sets them, the fields express, its router and our middleware give
 * every request and response. express swaps their prototypes for its own, and V8 adds a property to
 * an object whose prototype was swapped at many times the usual cost: a dozen such adds cost about
 * 15 µs a request here, the same fields added before the swap next to nothing. Each starts as what
 * reading it gave before (undefined; EventEmitter's count from its prototype), and every reader of
 * them tests the value, not whether the field exists (body-parser's `'body' in req` sets it to
 * undefined anyway).
 */
export function presetFields(req: Request, res: Response): void {
  const fields = req as unknown as Record<string, unknown>;
  fields.res = res;
  for (const name of REQUEST_FIELDS) if (!Object.hasOwn(fields, name)) fields[name] = undefined;
  fields._eventsCount = fields._eventsCount;
  const answer = res as unknown as Record<string, unknown>;
  answer.req = req;
  if (!answer.locals) answer.locals = Object.create(null);
  answer.statusCode = res.statusCode;
  answer.statusMessage = res.statusMessage;
  answer.__onFinished = answer.__onFinished;
}

/** What express, its router, express-session, csrf-sync, body-parser and app.ts put on a request. */
const REQUEST_FIELDS = ['next', 'baseUrl', 'originalUrl', '_parsedUrl', '_parsedOriginalUrl', 'params', 'route', 'body', 'csrfToken', 'sessionStore', 'sessionID', 'session', 'viaToken', 'tessera'];

/**
 * 'json': exactly `application/json`, declared length within the limit, not compressed or chunked;
 * 'none': no body and no Content-Type; null: anything else (the old path decides).
 */
function bodyKind(headers: Request['headers']): 'json' | 'none' | null {
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return null;
  const length = headers['content-length'];
  const type = headers['content-type'];
  if (type === undefined) return length === undefined || length === '0' ? 'none' : null;
  if (type !== 'application/json' || length === undefined || !/^\d{1,7}$/.test(length) || Number(length) > JSON_BODY_LIMIT) return null;
  return 'json';
}

/** The body as UTF-8 text without a byte order mark, as raw-body's iconv decoder reads it. */
function readText(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    // The caller hung up while it was being authenticated: no body will come, and no answer will reach it.
    if (req.destroyed) return reject(Object.assign(new Error('request aborted'), { status: 400, type: 'request.aborted' }));
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onEnd = () => {
      cleanup();
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('request aborted'), { status: 400, type: 'request.aborted' }));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(Object.assign(error, { status: 400 }));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
  });
}

const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/;

/** body-parser's strict JSON: an empty body is {}, anything but an object or array at the top is refused. */
function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  if (text[0] !== '{' && text[0] !== '[') {
    const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
    if (first !== '{' && first !== '[') throw parseFailed();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw parseFailed();
  }
}

function parseFailed(): Error {
  return Object.assign(new SyntaxError('The request body is not valid JSON'), { status: 400, type: 'entity.parse.failed' });
}

/**
 * What res.status(status).json(body) writes when the handler set none of Content-Type, ETag and
 * Transfer-Encoding (else res.json writes it): the same Content-Type, Content-Length and weak ETag
 * (app.ts's weakETag of the same bytes), 304 when fresh, nothing after 204/304/205. The text goes to
 * res.end as a string, which Node joins to the head: no Buffer copy of the body (the socket gets one
 * writev either way; that system call is most of what answering costs).
 */
export function sendJson(req: Request, res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (typeof text !== 'string' || res.hasHeader('content-type') || res.hasHeader('etag') || res.hasHeader('transfer-encoding')) {
    res.status(status).json(body);
    return;
  }
  res.status(status);
  const length = Buffer.byteLength(text);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(length));
  res.setHeader('ETag', `W/"${length.toString(16)}-${crypto.hash('sha1', text, 'base64').slice(0, 27)}"`);
  if (req.fresh) res.status(304);
  if (res.statusCode === 204 || res.statusCode === 304) {
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end('');
    return;
  }
  if (res.statusCode === 205) {
    res.setHeader('Content-Length', '0');
    res.removeHeader('Transfer-Encoding');
    res.end('');
    return;
  }
  res.end(text, 'utf8');
}

/** The headers a helmet middleware sets, read once from a response that records them. */
export function securityHeaders(helmet: (req: never, res: never, next: () => void) => void): Array<readonly [string, string]> {
  const headers = new Map<string, readonly [string, string]>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), [name, String(value)]),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let done = false;
  helmet({ method: 'GET', url: '/', headers: {} } as never, recorder as never, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return [...headers.values()];
}
