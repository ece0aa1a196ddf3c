import { EntityService, type EntityHooks, type RequestContext } from 'tessera/core';
import { NUMBER_SEQUENCE, type Message, type MessageService } from '../api';
import { assertCustomer } from '../crm/customers';
import { messageEntity, type MessageRow } from './message-entity';

/** Messages are never blocked by FULL; they only take the next number of the company's counter. */
export class MessageServiceImpl extends EntityService<typeof messageEntity> implements MessageService {
  async take(ctx: RequestContext, input: Parameters<MessageService['take']>[1]): Promise<Message> {
    return (await this.create(ctx, input)) as unknown as Message;
  }

  async forCustomer(ctx: RequestContext, customerId: number, limit = 20): Promise<Message[]> {
    return (await this.page(ctx, { filters: { customer_id: customerId }, sort: '-created_at', limit })).data as unknown as Message[];
  }
}

export function messageHooks(): EntityHooks<MessageRow> {
  return {
    async beforeCreate(ctx, values) {
      await assertCustomer(ctx, values.customer_id, Number(values.company_id));
      return { number: await ctx.db.nextNumber(NUMBER_SEQUENCE, Number(values.company_id)) };
    },
    async beforeUpdate(ctx, changes, before) {
      if (changes.customer_id !== undefined) await assertCustomer(ctx, changes.customer_id, before.company_id);
    },
  };
}
