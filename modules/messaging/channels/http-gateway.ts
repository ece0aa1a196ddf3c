import type { Channel } from '../api';
import { DeliveryError, type ChannelAdapter, type ChannelConfig, type OutgoingMessage, type SendReceipt } from './channel-adapters';

/**
 * SMS and WhatsApp through an HTTP gateway: a JSON POST to the configured URL with the token as a
 * bearer. 2xx is delivered; 4xx refuses the message for good; 5xx and network errors are retried.
 */
export class HttpGateway implements ChannelAdapter {
  constructor(private readonly channel: Channel) {}

  async send(config: ChannelConfig, message: OutgoingMessage): Promise<SendReceipt> {
    let response: Response;
    try {
      response = await fetch(config.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(config.secret ? { authorization: `Bearer ${config.secret}` } : {}), 'idempotency-key': message.reference },
        body: JSON.stringify({ channel: this.channel, from: config.sender, to: message.to, text: message.body, reference: message.reference }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new DeliveryError(`gateway unreachable: ${(error as Error).message}`, (error as Error).message);
    }
    const answer = (await response.text()).slice(0, 2000);
    if (response.ok) return { detail: `${response.status} ${answer}`.trim() };
    throw new DeliveryError(`gateway answered ${response.status}`, `${response.status} ${answer}`.trim(), response.status >= 500 || response.status === 429);
  }
}
