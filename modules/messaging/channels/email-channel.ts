import type Nodemailer from 'nodemailer';
import { DeliveryError, type ChannelAdapter, type ChannelConfig, type OutgoingMessage, type SendReceipt } from './channel-adapters';

/** E-mail over SMTP with nodemailer: HTML body, the notification's reference as Message-ID. */
export class EmailChannel implements ChannelAdapter {
  async send(config: ChannelConfig, message: OutgoingMessage): Promise<SendReceipt> {
    const port = config.port ?? 587;
    // nodemailer loads on the first e-mail sent, not at every start of the server.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodemailer = require('nodemailer') as typeof Nodemailer;
    const transport = nodemailer.createTransport({
      host: config.endpoint,
      port,
      secure: port === 465,
      auth: config.username ? { user: config.username, pass: config.secret ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      const info = await transport.sendMail({
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
      transport.close();
    }
  }
}
