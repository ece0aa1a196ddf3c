import { CORE, type EntityHooks, type RequestContext, type SecretBox } from 'tessera/core';
import type { ChannelRow } from './channel-entity';

/**
 * A channel's password or token is encrypted before it is stored (the installation's key, core's
 * SecretBox), and opened only by the delivery job that sends with it. Forms and the API never show it:
 * the entity's secret field is write-only; an empty value on an edit keeps the stored one.
 */
export function channelHooks(): EntityHooks<ChannelRow> {
  const sealed = (ctx: RequestContext, values: Record<string, unknown>) =>
    typeof values.secret === 'string' && values.secret !== '' ? { secret: ctx.container.get<SecretBox>(CORE.Secrets).seal(values.secret) } : undefined;
  return { beforeCreate: async (ctx, values) => sealed(ctx, values), beforeUpdate: async (ctx, changes) => sealed(ctx, changes) };
}
