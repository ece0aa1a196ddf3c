/**
 * CPU per API call answered by core/http's fast path against the same call through express, in one
 * process on SQLite (the fixture module's items): the client and the database cost the same on both
 * sides, so the difference is the request path's. Rounds alternate the two sides.
 *   node -r tsx/cjs bench/api-path-bench.ts        KIND=get|post (default get)  N=2000 calls a round  ROUNDS=6
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFixtureApp } from '../test/support/fixture-app';
import { createHttpApp } from '../core/http/app';
import { httpServicesOf } from '../core/kernel/http-services-of';

async function main() {
  const t = await startFixtureApp();
  const token = await t.token((await t.createUser({ permissions: ['alpha.item.write', 'alpha.item.read'] })).email);
  const listen = async (fastPath: boolean) => {
    const app = createHttpApp(httpServicesOf(t.kernel), { apiFastPath: fastPath });
    const server = http.createServer(app.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, server, app };
  };
  const sides = { slow: await listen(false), fast: await listen(true) };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const call = (port: number, method: string, path: string, body?: unknown) => new Promise<number>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
  const kind = process.env.KIND ?? 'get';
  const n = Number(process.env.N ?? 2000);
  const run = async (port: number) => {
    let i = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (i < n) {
        const k = i++;
        const status = kind === 'post' ? await call(port, 'POST', '/api/v1/alpha/items', { name: `m${k}` }) : await call(port, 'GET', '/api/v1/alpha/items?limit=5');
        if (status >= 300) throw new Error(`status ${status}`);
      }
    }));
  };
  const totals = { slow: 0, fast: 0 };
  await run(sides.slow.port); await run(sides.fast.port); // warm up
  for (let round = 0; round < Number(process.env.ROUNDS ?? 6); round++) {
    for (const side of (round % 2 ? ['fast', 'slow'] : ['slow', 'fast']) as Array<'slow' | 'fast'>) {
      const before = process.cpuUsage();
      await run(sides[side].port);
      const used = process.cpuUsage(before);
      totals[side] += (used.user + used.system) / 1000;
    }
  }
  const rounds = Number(process.env.ROUNDS ?? 6);
  console.log(`${kind}: CPU ms per call (server + client, one process): express path ${(totals.slow / rounds / n).toFixed(3)}, fast path ${(totals.fast / rounds / n).toFixed(3)}; fast path answered ${sides.fast.app.counts.fastApi}`);
  agent.destroy();
  sides.slow.server.close(); sides.fast.server.close();
  await t.close();
  process.exit(0);
}
void main();
