/**
 * The benches' load generator: JSON requests over node:http with kept-alive connections. The clients
 * share the machine's two cores with the server they measure, so they should cost as little CPU as a
 * client can: undici's fetch spent about 1.5 ms of CPU per request here, node:http about a third of it.
 */
import http from 'node:http';

export interface JsonAnswer {
  status: number;
  body: string;
  json<T = any>(): T;
}

export interface JsonClient {
  request(method: string, url: string, body?: unknown): Promise<JsonAnswer>;
  close(): void;
}

/** A client for `connections` concurrent requests, sending `headers` with each. */
export function jsonClient(headers: Record<string, string>, connections = 8): JsonClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return {
    request(method, url, body) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise<JsonAnswer>((resolve, reject) => {
        const req = http.request(url, {
          method,
          agent,
          headers: { accept: 'application/json', ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
