import Redis, { type RedisOptions } from 'ioredis';

/** No Redis call made on behalf of a request waits longer than this. */
export const REDIS_ANSWER_MS = 2000;

/**
 * The Redis connections of one bull queue, made so that Redis being away costs a caller at most
 * `REDIS_ANSWER_MS`: the command connection queues nothing while disconnected (a call fails at once),
 * gives each command a deadline and reconnects every two seconds at most. The blocking connection
 * (the worker waiting for jobs) keeps its commands for the reconnection instead: nobody waits on it.
 */
export class RedisConnections {
  readonly all: Redis[] = [];

  create(type: 'client' | 'subscriber' | 'bclient', options: RedisOptions = {}): Redis {
    const common: RedisOptions = { ...options, connectTimeout: REDIS_ANSWER_MS, retryStrategy: (times) => Math.min(250 * times, 2000) };
    const client =
      type === 'client'
        ? new Redis({ ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_ANSWER_MS })
        : new Redis({ ...common, enableReadyCheck: false, maxRetriesPerRequest: null });
    this.all.push(client);
    return client;
  }

  disconnect(): void {
    for (const client of this.all.splice(0)) client.disconnect();
  }
}

/** Resolves true once `client` is ready, or false after `ms`. */
export function whenReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.removeListener('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    timer.unref();
    client.once('ready', onReady);
  });
}

/** `promise`, or a rejection naming `what` after `ms`: a backstop behind the connection's own deadlines. */
export function answerWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis in ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** `redis://user:secret@host:6379/0` -> `host:6379`: where Redis is, without its password. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}`;
  } catch {
    return 'Redis';
  }
}
