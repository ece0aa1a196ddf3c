import type { Channel } from '../api';

/** A channel's configuration as the delivery job reads it, secret included (never leaves the server). */
export interface ChannelConfig {
  channel: Channel;
  endpoint: string;
  port: number | null;
  username: string | null;
  sender: string | null;
  secret: string | null;
}

export interface OutgoingMessage {
  /** Stable per notification: receivers and gateways may use it to drop a repeat. */
  reference: string;
  to: string;
  subject: string | null;
  body: string;
}

/** What a channel answered: kept in the delivery log. */
export interface SendReceipt {
  detail: string;
}

/** A refusal the gateway or server gave; its answer goes to the delivery log. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly answer: string,
    /** False when trying again cannot help (a 4xx refusal of the message itself). */
    readonly retryable = true,
  ) {
    super(message);
  }
}

export interface ChannelAdapter {
  send(config: ChannelConfig, message: OutgoingMessage): Promise<SendReceipt>;
}

/** Adapters by channel; another gateway is one more entry (`adapters.set('sms', new MyGateway())`). */
export class ChannelAdapters {
  private readonly adapters = new Map<Channel, ChannelAdapter>();

  set(channel: Channel, adapter: ChannelAdapter): void {
    this.adapters.set(channel, adapter);
  }

  get(channel: Channel): ChannelAdapter {
    const adapter = this.adapters.get(channel);
    if (!adapter) throw new DeliveryError(`no adapter for ${channel}`, `no adapter for ${channel}`, false);
    return adapter;
  }
}
