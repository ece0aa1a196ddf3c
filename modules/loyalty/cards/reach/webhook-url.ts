import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Where integrators' webhooks may point. An endpoint is an https address without credentials in it,
 * on a public address; plain http, and private, loopback or link-local addresses, only for the hosts
 * of the allow-list (`LOYALTY_WEBHOOK_ALLOW_HOSTS`, comma-separated host names or IPs: a test's
 * 127.0.0.1, an integrator inside the company's network). The host is resolved again at each
 * delivery and the connection goes to the address that was checked, so a name that resolves to a
 * public address when the endpoint is saved and to an internal one later (DNS rebinding) is refused.
 */
export const ALLOW_HOSTS_ENV = 'LOYALTY_WEBHOOK_ALLOW_HOSTS';

export function allowedHosts(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set(String(env[ALLOW_HOSTS_ENV] ?? '').split(',').map((h) => bare(h.trim().toLowerCase())).filter(Boolean));
}

/** A URL's host as compared and resolved: lower case, IPv6 without its brackets. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const blocked = new net.BlockList();
for (const [net4, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  blocked.addSubnet(net4, prefix, 'ipv4');
}
for (const [net6, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32], ['100::', 64]] as const) {
  blocked.addSubnet(net6, prefix, 'ipv6');
}

/** Whether an IP address is public: not private, loopback, link-local, carrier-grade NAT, multicast or reserved. */
export function isPublicAddress(address: string): boolean {
  const ip = bare(address.toLowerCase());
  const family = net.isIP(ip);
  if (family === 4) return !blocked.check(ip, 'ipv4');
  if (family !== 6) return false;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1, ::ffff:a00:1) is judged as the IPv4 address.
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/.exec(ip)?.[1];
  if (mapped !== undefined) {
    if (net.isIPv4(mapped)) return isPublicAddress(mapped);
    const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped);
    if (m) return isPublicAddress([parseInt(m[1], 16) >> 8, parseInt(m[1], 16) & 255, parseInt(m[2], 16) >> 8, parseInt(m[2], 16) & 255].join('.'));
    return false;
  }
  return !blocked.check(ip, 'ipv6');
}

/** What is wrong with an endpoint address (for the `url` field), or null when it may be saved. */
export function webhookUrlProblem(value: string, allow = allowedHosts()): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is an absolute https address (https://host/path)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is an https address';
  if (url.username || url.password) return 'must not hold a user name or password: the signature authenticates each delivery';
  const host = bare(url.hostname.toLowerCase());
  if (!host) return 'names no host';
  const allowed = allow.has(host);
  if (url.protocol === 'http:' && !allowed) return 'is an https address (plain http only for allow-listed hosts)';
  if (allowed) return null;
  if (net.isIP(host)) return isPublicAddress(host) ? null : `points to a private, loopback or link-local address (${host})`;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || !host.includes('.')) return `points to an internal host name (${host})`;
  return null;
}

export type Resolve = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * The addresses a delivery may connect to: every address the name has now must be public (unless the
 * host is allow-listed), so an attacker's name cannot mix an internal address among public ones.
 */
export async function checkedAddresses(hostname: string, resolve: Resolve = systemResolve, allow = allowedHosts()): Promise<Array<{ address: string; family: number }>> {
  const host = bare(hostname.toLowerCase());
  const addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await resolve(host);
  if (!addresses.length) throw new Error(`${host} has no address`);
  if (!allow.has(host)) {
    const internal = addresses.find((a) => !isPublicAddress(a.address));
    if (internal) throw new Error(`refused: ${host} resolves to a private, loopback or link-local address (${internal.address})`);
  }
  return addresses;
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  resolve?: Resolve;
  allow?: Set<string>;
}

/**
 * POSTs `body` to an endpoint and answers the HTTP status. The connection is made to the address
 * just checked (no second resolution in between), redirects are not followed (a 3xx is a failure),
 * and the answer's body is read and dropped.
 */
export async function postWebhook(target: string, body: string, options: PostOptions): Promise<number> {
  const allow = options.allow ?? allowedHosts();
  const problem = webhookUrlProblem(target, allow);
  if (problem) throw new Error(`refused: the address ${problem}`);
  const url = new URL(target);
  const [first] = await checkedAddresses(url.hostname, options.resolve, allow);
  const lookup: net.LookupFunction = (_host, opts, done) => {
    if ((opts as dns.LookupAllOptions).all) (done as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address: first.address, family: first.family }]);
    else done(null, first.address, first.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      lookup,
      // TLS still checks the certificate against the name, not the address.
      servername: net.isIP(bare(url.hostname)) ? undefined : bare(url.hostname),
      headers: { ...options.headers, 'Content-Length': Buffer.byteLength(body) },
      timeout: options.timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
