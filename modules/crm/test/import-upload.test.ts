import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'chai';
import { crmWorld, userWith, uniq, type CrmWorld } from './crm-fixtures';

const MB = 1024 * 1024;

interface Sent {
  status: number;
  body: string;
  /** Bytes of the body the client managed to hand over before the answer (or the socket closing). */
  sent: number;
}

/**
 * POSTs a body of `size` bytes, made chunk by chunk by `chunkAt` as the server takes them: the client
 * holds one chunk at a time and stops writing once the server has answered, as a real client would.
 */
function send(url: string, headers: Record<string, string>, size: number, chunkAt: (offset: number) => Buffer): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let answered: { status: number; body: string } | null = null;
    let sent = 0;
    const req = http.request(`${url}/api/v1/crm/customers/import${headers['x-query'] ?? ''}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', 'Content-Length': String(size), Accept: 'application/json', ...headers },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        answered = { status: res.statusCode ?? 0, body };
        resolve({ ...answered, sent });
      });
    });
    // Once the server has answered and closed, writing fails: that is the point, not an error.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (!answered && !req.destroyed && sent < size) {
        const chunk = chunkAt(sent);
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (sent >= size) req.end();
    };
    pump();
  });
}

/** A full collection on demand, so what is measured is memory still held, not garbage awaiting collection. */
const collect: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
})();

/**
 * The most memory the process (the server under test lives in it) held at once while `work` ran,
 * above what it held before: sampled every 250 ms after a full collection.
 */
async function heldDuring<T>(work: () => Promise<T>): Promise<{ result: T; held: number }> {
  const live = () => {
    collect();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = live();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, live())), 250);
  try {
    const result = await work();
    return { result, held: peak - before };
  } finally {
    clearInterval(timer);
  }
}

describe('crm import upload: who asks is checked before the body is read, and the body is streamed @integration', function () {
  this.timeout(180_000);
  let w: CrmWorld;
  let url: string;
  let token: string;
  const filler = Buffer.alloc(MB, 'x,y,z\n');

  before(async () => {
    w = await crmWorld();
    url = await w.t.listen();
    token = await w.t.token(w.admin.email);
  });

  it('answers 401 to an unauthenticated 190 MB upload without reading it', async () => {
    const res = await send(url, {}, 190 * MB, () => filler);
    expect(res.status).to.equal(401);
    expect(JSON.parse(res.body).error.code).to.equal('unauthenticated');
    expect(res.sent, 'bytes the client could hand over: socket buffers, not the body').to.be.below(32 * MB);
  });

  it('answers 403 to a user without the import permission, and 401 to a bad token, before reading', async () => {
    const { user } = await userWith(w, ['crm.customer.write']);
    const forbidden = await send(url, { Authorization: `Bearer ${await w.t.token(user.email)}` }, 190 * MB, () => filler);
    expect(forbidden.status).to.equal(403);
    expect(forbidden.sent).to.be.below(32 * MB);
    const badToken = await send(url, { Authorization: 'Bearer tsr_not_a_token' }, 190 * MB, () => filler);
    expect(badToken.status).to.equal(401);
    expect(badToken.sent).to.be.below(32 * MB);
  });

  it('keeps its memory when four unauthenticated 190 MB uploads arrive at once', async () => {
    const { result, held } = await heldDuring(() => Promise.all([1, 2, 3, 4].map(() => send(url, {}, 190 * MB, () => filler))));
    expect(result.map((r) => r.status)).to.deep.equal([401, 401, 401, 401]);
    expect(held, `held ${Math.round(held / MB)} MB more`).to.be.below(16 * MB);
  });

  it('refuses a body announced above 200 MB with 413, before reading it', async () => {
    const res = await send(url, { Authorization: `Bearer ${token}` }, 201 * MB, () => filler);
    expect(res.status).to.equal(413);
    expect(res.sent).to.be.below(32 * MB);
  });

  it('streams a large authorised upload into storage and imports it, holding a fraction of it', async () => {
    const p = uniq('U');
    const header = Buffer.from('code,last_name,shop\n');
    const rows = Buffer.from([1, 2, 3].map((i) => `${p}-${i},Last${i},${w.shops[0].code}`).join('\n') + '\n');
    // Blank lines pad the file to 96 MB: the parser reads through them all, and the rows come last.
    // The file is large beside the fixed cost of a request (parser, driver, test client, about 30 MB on
    // a fresh machine), so "a fraction of it" measures the streaming, not that cost.
    const blank = Buffer.from(' '.repeat(1023) + '\n');
    const size = 96 * MB;
    const padding = size - header.length - rows.length;
    const blankBlock = Buffer.concat(Array.from({ length: 256 }, () => blank));
    const chunkAt = (offset: number): Buffer => {
      if (offset < header.length) return header.subarray(offset);
      const inPadding = offset - header.length;
      if (inPadding < padding) {
        const left = padding - inPadding;
        // Blank lines are 1 KB; the last partial one stays blank (spaces, then the rows' line starts).
        return left >= blankBlock.length ? blankBlock : Buffer.alloc(left, ' ').fill('\n', left - 1);
      }
      return rows.subarray(inPadding - padding);
    };
    // A small upload first, so the code on this path is loaded and compiled before memory is measured.
    const warm = Buffer.concat([header, blank, rows]);
    expect((await send(url, { Authorization: `Bearer ${token}`, 'x-query': '?async=false&dry_run=true' }, warm.length, (offset) => warm.subarray(offset))).status).to.equal(200);
    const { result, held } = await heldDuring(() => send(url, { Authorization: `Bearer ${token}`, 'x-query': '?async=false&filename=big.csv' }, size, chunkAt));
    expect(result.status, result.body.slice(0, 300)).to.equal(200);
    const report = JSON.parse(result.body);
    expect(report).to.include({ status: 'done', filename: 'big.csv', rows_total: 3, created: 3, error_count: 0 });
    expect(held, `held ${Math.round(held / MB)} MB at once for a ${size / MB} MB upload`).to.be.below(size / 2);
    const stored = await w.t.knex('core_import_chunks').where({ import_id: report.id }).select(w.t.knex.raw('count(*) as n, sum(length(data)) as bytes')).first();
    expect(Number(stored.n)).to.equal(size / MB);
    expect(Number(stored.bytes)).to.equal(size);
    expect(await w.t.knex('crm_customers').where({ company_id: w.companyId }).where('code', 'like', `${p}-%`).count({ n: '*' }).first()).to.deep.include({ n: 3 });
  });

  it('removes an upload left half-way by a process that died, a day later', async () => {
    const long = new Date(Date.now() - 25 * 3600_000);
    const [left] = await w.t.knex('core_imports').insert({ company_id: w.companyId, kind: 'crm.customers', filename: 'half.csv', sha256: '', match_by: 'auto', status: 'uploading', created_at: long, updated_at: long });
    await w.t.knex('core_import_chunks').insert({ company_id: w.companyId, import_id: left, seq: 0, data: Buffer.from('code,last_name') });
    const csv = Buffer.from(`code,last_name,shop\n${uniq('H')},Half,${w.shops[0].code}\n`);
    expect((await send(url, { Authorization: `Bearer ${token}` }, csv.length, (offset) => csv.subarray(offset))).status).to.equal(200);
    expect(await w.t.knex('core_imports').where({ id: left }).first()).to.equal(undefined);
    expect(await w.t.knex('core_import_chunks').where({ import_id: left }).first()).to.equal(undefined);
  });
});
