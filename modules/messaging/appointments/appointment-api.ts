import { entitySchemas, type ApiOverride, type ApiPart, type ApiRoute, type JsonSchema } from 'tessera/core';
import { MESSAGING, MESSAGING_PERMISSIONS as P, NUMBER_SEQUENCE, type AppointmentService } from '../api';
import { appointmentEntity } from './appointment-entity';
import type { AppointmentServiceImpl } from './appointment-service';

/** The derived create route, taking `confirm_overbook: true` to book past FULL (409 without it). */
export function appointmentApiOverrides(service: () => AppointmentServiceImpl): Partial<Record<ApiPart, ApiOverride>> {
  const create = entitySchemas(appointmentEntity).create as JsonSchema & { properties: Record<string, JsonSchema> };
  return {
    create: {
      summary: 'Book an appointment; a FULL day answers 409 unless `confirm_overbook: true` is sent by a user holding messaging.appointment.overbook',
      body: { ...create, properties: { ...create.properties, confirm_overbook: { type: 'boolean', description: 'Book past FULL' } } },
      handler: async (ctx, { body }) => service().book(ctx, body),
    },
  };
}

const day: JsonSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

export function calendarApiRoutes(): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/calendar',
      permission: P.appointmentRead,
      summary: 'Per day of [from, to] (at most 62 days): count, max (0: no limit) and full, for the company, a representative or a shop',
      tags: ['Calendar'],
      query: {
        type: 'object',
        required: ['from', 'to'],
        additionalProperties: false,
        properties: { from: day, to: day, representative_id: { type: 'integer', minimum: 1 }, shop_id: { type: 'integer', minimum: 1 } },
      },
      response: {
        type: 'object',
        required: ['data'],
        properties: {
          data: { type: 'array', items: { type: 'object', required: ['day', 'count', 'max', 'full'], properties: { day, count: { type: 'integer' }, max: { type: 'integer' }, full: { type: 'boolean' } } } },
        },
      },
      handler: async (ctx, { query }) => ({
        data: await ctx.container.get<AppointmentService>(MESSAGING.Appointments).calendar(ctx, { from: query.from, to: query.to, representativeId: query.representative_id, shopId: query.shop_id }),
      }),
    },
    {
      method: 'GET',
      path: '/counter',
      permission: P.messageRead,
      summary: 'The last number given to a message or an appointment of the company',
      tags: ['Counter'],
      response: { type: 'object', required: ['last_number'], properties: { last_number: { type: 'integer' } } },
      handler: async (ctx) => ({ last_number: await ctx.db.lastNumber(NUMBER_SEQUENCE) }),
    },
    {
      method: 'POST',
      path: '/counter',
      permission: 'core.settings.manage',
      summary: 'Raise the last number used (never lowers it: a lower value leaves it as it is)',
      tags: ['Counter'],
      body: { type: 'object', required: ['last_number'], additionalProperties: false, properties: { last_number: { type: 'integer', minimum: 0, maximum: 2_000_000_000 } } },
      response: { type: 'object', required: ['last_number'], properties: { last_number: { type: 'integer' } } },
      handler: async (ctx, { body }) => ({ last_number: await ctx.db.raiseNumber(NUMBER_SEQUENCE, Number(body.last_number)) }),
    },
  ];
}
