import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export { uniq } from './company-fixtures';

/** `n` random decimal digits (a phone number's tail, a card secret). */
export const digits = (n: number): string => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');

/** Headers of an API call with a token. */
export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}`, Accept: 'application/json' });

/**
 * A real SMS gateway on a free port that takes every message: `texts` holds each request body as it
 * came, for tests that read what messaging sent through the company's configured channel.
 */
export function smsGateway(): { texts: string[]; start(): Promise<string>; close(): Promise<void> } {
  const texts: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c)).on('end', () => {
      texts.push(Buffer.concat(chunks).toString('utf8'));
      res.end('{"ok":true}');
    });
  });
  return {
    texts,
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/send`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
