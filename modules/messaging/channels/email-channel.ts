import crypto from 'node:crypto';
import type Nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { DeliveryError, type ChannelAdapter, type ChannelConfig, type OutgoingMessage, type SendReceipt } from './channel-adapters';

/** A pool unused this long is closed: its connections do not outlive a burst, nor keep a process from ending. */
const IDLE_MS = 2000;

interface Pool {
  transport: Transporter;
  sending: number;
  idle: NodeJS.Timeout | null;
}

/**
 * E-mail over SMTP with nodemailer: HTML body, the notification's reference as Message-ID. One pooled
 * transport per server configuration (host, port, user, secret), so a batch of e-mails reuses a few
 * authenticated connections instead of a connection, a greeting and a login each. A changed
 * configuration is another pool; the old one closes once idle.
 */
export class EmailChannel implements ChannelAdapter {
  private readonly pools = new Map<string, Pool>();

  async send(config: ChannelConfig, message: OutgoingMessage): Promise<SendReceipt> {
    const key = crypto.createHash('sha256').update(JSON.stringify([config.endpoint, config.port, config.username, config.secret])).digest('hex');
    const pool = this.pools.get(key) ?? this.open(key, config);
    pool.sending++;
    if (pool.idle) clearTimeout(pool.idle);
    pool.idle = null;
    try {
      const info = await pool.transport.sendMail({
        from: config.sender ?? undefined,
        to: message.to,
        subject: message.subject ?? '',
        html: message.body,
        messageId: `<${message.reference}@tessera>`,
      });
      return { detail: String(info.response ?? 'accepted') };
    } catch (error) {
      const e = error as { message: string; response?: string; responseCode?: number };
      // 5xx is the server refusing this message for good; anything else (a connection, a 4xx) may pass later.
      throw new DeliveryError(e.message, e.response ?? e.message, !(e.responseCode && e.responseCode >= 500));
    } finally {
      if (--pool.sending === 0) {
        pool.idle = setTimeout(() => this.close(key, pool), IDLE_MS);
        pool.idle.unref();
      }
    }
  }

  private open(key: string, config: ChannelConfig): Pool {
    const port = config.port ?? 587;
    // nodemailer loads on the first e-mail sent, not at every start of the server.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodemailer = require('nodemailer') as typeof Nodemailer;
    const transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 4,
      maxMessages: 100,
      host: config.endpoint,
      port,
      secure: port === 465,
      auth: config.username ? { user: config.username, pass: config.secret ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    const pool: Pool = { transport, sending: 0, idle: null };
    this.pools.set(key, pool);
    return pool;
  }

  private close(key: string, pool: Pool): void {
    if (pool.idle) clearTimeout(pool.idle);
    pool.idle = null;
    if (this.pools.get(key) === pool) this.pools.delete(key);
    pool.transport.close();
  }
}
