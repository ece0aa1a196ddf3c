import http from 'node:http';
import https from 'node:https';
import type { Channel } from '../api';
import { DeliveryError, type ChannelAdapter, type ChannelConfig, type OutgoingMessage, type SendReceipt } from './channel-adapters';

const TIMEOUT_MS = 15_000;
/** What the delivery log keeps of an answer. */
const ANSWER_MAX = 2000;

/**
 * Connections kept open between messages, shared by every company's gateway: a batch of deliveries
 * reuses a few sockets instead of a connection (and a TLS handshake) each. Plain node:http rather than
 * fetch, which costs several times the CPU per request in its stream machinery.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 32, timeout: TIMEOUT_MS }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 32, timeout: TIMEOUT_MS }),
};

/**
 * SMS and WhatsApp through an HTTP gateway: a JSON POST to the configured URL with the token as a
 * bearer. 2xx is delivered; 4xx refuses the message for good; 5xx, 429 and network errors are retried.
 */
export class HttpGateway implements ChannelAdapter {
  constructor(private readonly channel: Channel) {}

  async send(config: ChannelConfig, message: OutgoingMessage): Promise<SendReceipt> {
    const body = JSON.stringify({ channel: this.channel, from: config.sender, to: message.to, text: message.body, reference: message.reference });
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...(config.secret ? { authorization: `Bearer ${config.secret}` } : {}), 'idempotency-key': message.reference };
    let status: number;
    let answer: string;
    try {
      ({ status, answer } = await post(config.endpoint, headers, body));
    } catch (error) {
      throw new DeliveryError(`gateway unreachable: ${(error as Error).message}`, (error as Error).message);
    }
    if (status >= 200 && status < 300) return { detail: `${status} ${answer}`.trim() };
    throw new DeliveryError(`gateway answered ${status}`, `${status} ${answer}`.trim(), status >= 500 || status === 429);
  }
}

function post(endpoint: string, headers: Record<string, string>, body: string): Promise<{ status: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(endpoint);
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return reject(new Error(`unsupported protocol ${url.protocol}`));
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent }, (response) => {
      let answer = '';
      response.setEncoding('utf8');
      // Read to the end so the socket goes back to the pool, keeping only what the log shows.
      response.on('data', (chunk: string) => {
        if (answer.length < ANSWER_MAX) answer += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, answer: answer.slice(0, ANSWER_MAX) }));
      response.on('error', reject);
    });
    // The whole exchange, not only an idle socket, is bounded in time.
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    timer.unref();
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
}
