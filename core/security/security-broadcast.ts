import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

interface Warns {
  warn(details: object, message: string): void;
}

/**
 * Tells this installation's other processes, over Redis, that who may do what changed here, and hears
 * them say it (in a process that serves requests, once it `listen`s): each then drops what it kept,
 * the bearer token cache. A message lost while the connection was down is made up for on
 * reconnecting: a process that was not listening drops what it kept, as if told.
 */
export class SecurityBroadcast {
  private readonly self = crypto.randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(
    private readonly redisUrl: string,
    private readonly channel: string,
    private readonly onChange: () => void,
    private readonly logger: Warns,
  ) {}

  /** Starts hearing the other processes. */
  listen(): void {
    if (this.subscriber) return;
    const subscriber = (this.subscriber = this.connect());
    // Fired on the first connection and on every reconnection: whatever was said meanwhile is unheard.
    subscriber.on('ready', this.onChange);
    subscriber.on('message', (channel: string, from: string) => {
      if (channel === this.channel && from !== this.self) this.onChange();
    });
    subscriber.subscribe(this.channel).catch((error: Error) => this.warn(error));
  }

  /**
   * Says a change happened here (the others drop what they kept). Only a process that listens says
   * it: one that serves no requests (the CLI, a test's kernel without a port) leaves the others to see
   * its change within the cache's time, rather than opening a connection for it.
   */
  announce(): void {
    if (!this.subscriber) return;
    this.publisher ??= this.connect();
    // Not awaited: Redis down, the others see the change within the cache's time all the same.
    this.publisher.publish(this.channel, this.self).catch((error: Error) => this.warn(error));
  }

  async close(): Promise<void> {
    const open = [this.subscriber, this.publisher].filter((c): c is Redis => c !== null);
    this.subscriber = this.publisher = null;
    await Promise.allSettled(open.map((c) => c.quit()));
  }

  private connect(): Redis {
    // ioredis is loaded only here: the embedded default (no Redis) never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    const client = new IORedis(this.redisUrl, { maxRetriesPerRequest: 1 });
    client.on('error', (error: Error) => this.warn(error));
    return client;
  }

  private warn(error: Error): void {
    this.logger.warn({ err: error }, 'security broadcast: Redis');
  }
}
