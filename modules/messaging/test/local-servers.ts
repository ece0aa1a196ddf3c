import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on a free port, keeping what it received. */
export async function startSmtp(): Promise<{ port: number; messages: Array<{ to: string[]; raw: string }>; close(): Promise<void> }> {
  const messages: Array<{ to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, cb) => (auth.username === 'mailer' && auth.password === 'smtp-secret' ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password'))),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface GatewayRequest {
  authorization: string | undefined;
  body: { channel: string; from: string; to: string; text: string; reference: string };
}

/** A real HTTP SMS/WhatsApp gateway on a free port; `answer` sets what it replies next. */
export async function startGateway(): Promise<{ url: string; requests: GatewayRequest[]; answer: { status: number; body: string }; close(): Promise<void> }> {
  const requests: GatewayRequest[] = [];
  const answer = { status: 200, body: '{"id":"gw-1","status":"accepted"}' };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/send`, requests, answer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
