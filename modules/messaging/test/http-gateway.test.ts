import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { HttpGateway } from '../channels/http-gateway';
import { DeliveryError, type ChannelConfig } from '../channels/channel-adapters';

/** The SMS/WhatsApp adapter against a real local HTTP server: what it sends, how it reads answers, and that it keeps its connection. */
describe('messaging HTTP gateway adapter', () => {
  let server: http.Server;
  let url: string;
  let connections = 0;
  const seen: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
  let status = 200;
  const config = (endpoint: string): ChannelConfig => ({ channel: 'sms', endpoint, port: null, username: null, sender: 'SHOP', secret: 'token-1' });
  const message = (n: number) => ({ reference: `n${n}-ref`, to: '+442079460123', subject: null, body: `hello ${n}` });

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"id":"gw-1"}' : 'x'.repeat(5000));
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the message as JSON with the token and the reference, over one kept-alive connection', async () => {
    const gateway = new HttpGateway('sms');
    for (let n = 1; n <= 3; n++) expect(await gateway.send(config(url), message(n))).to.deep.equal({ detail: '200 {"id":"gw-1"}' });
    expect(seen.map((s) => s.body)).to.deep.equal([1, 2, 3].map((n) => ({ channel: 'sms', from: 'SHOP', to: '+442079460123', text: `hello ${n}`, reference: `n${n}-ref` })));
    expect(seen[0].headers).to.include({ authorization: 'Bearer token-1', 'idempotency-key': 'n1-ref', 'content-type': 'application/json' });
    expect(connections).to.equal(1);
  });

  it('refuses for good on a 4xx, retries a 5xx, keeping 2000 characters of the answer, and retries an unreachable gateway', async () => {
    const gateway = new HttpGateway('whatsapp');
    status = 400;
    const refused = await gateway.send(config(url), message(4)).catch((e) => e);
    expect(refused).to.be.instanceOf(DeliveryError).and.to.include({ retryable: false });
    expect(refused.answer).to.equal(`400 ${'x'.repeat(2000)}`);
    status = 503;
    expect(await gateway.send(config(url), message(5)).catch((e) => e)).to.be.instanceOf(DeliveryError).and.to.include({ retryable: true, message: 'gateway answered 503' });
    status = 200;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await gateway.send(config(`http://127.0.0.1:${port}/send`), message(6)).catch((e) => e);
    expect(unreachable).to.be.instanceOf(DeliveryError).and.to.include({ retryable: true });
    expect(unreachable.message).to.match(/^gateway unreachable/);
  });
});
