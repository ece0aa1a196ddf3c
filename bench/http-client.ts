/**
 * The benches' load generator: JSON requests over kept-alive connections. The clients share the
 * machine's two cores with the server they measure, so they should cost as little CPU as a client can:
 * undici's fetch spent about 1.5 ms of CPU per request here, node:http about 60 µs on an idle machine,
 * and undici's connection pool (`Pool.request`, no fetch semantics on top) about 35 µs.
 */
import { Pool } from 'undici';

export interface JsonAnswer {
  status: number;
  body: string;
  json<T = any>(): T;
}

export interface JsonClient {
  request(method: string, url: string, body?: unknown): Promise<JsonAnswer>;
  close(): void;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A client for `connections` concurrent requests to each origin, sending `headers` with each. */
export function jsonClient(headers: Record<string, string>, connections = 8): JsonClient {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) pools.set(origin, (pool = new Pool(origin, { connections, pipelining: 1 })));
    return pool;
  };
  const plain = { accept: 'application/json', ...headers };
  const withBody = { ...plain, 'content-type': 'application/json' };
  return {
    async request(method, url, body) {
      const target = new URL(url);
      const answer = await poolFor(target.origin).request({
        method: method as Method,
        path: target.pathname + target.search,
        headers: body === undefined ? plain : withBody,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await answer.body.text();
      return { status: answer.statusCode, body: text, json: () => JSON.parse(text) };
    },
    close: () => {
      for (const pool of pools.values()) void pool.close().catch(() => undefined);
      pools.clear();
    },
  };
}
