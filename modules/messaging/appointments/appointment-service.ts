import { EntityService, ValidationError, type EntityHooks, type EntityInput, type RequestContext } from 'tessera/core';
import { MESSAGING_EVENTS, NUMBER_SEQUENCE, type Appointment, type AppointmentInput, type AppointmentService, type CalendarDay } from '../api';
import { companyTimeZone, dayIn } from '../settings';
import { assertCustomer } from '../crm/customers';
import { appointmentEntity, type AppointmentRow } from './appointment-entity';
import { ensureCountRows, isDeadlock, releaseSlot, takeSlot } from './day-counts';
import { calendarDays } from '../calendar/calendar-counts';

type Values = Record<string, unknown>;
const COUNTED = new Set(['booked', 'done', 'no_show']);

/**
 * Appointments: the entity's CRUD plus the booking rules. The count rows of the day are made before the
 * booking's transaction (an insert there would take locks concurrent bookings deadlock on); a deadlock
 * the database still breaks is retried when the transaction is ours.
 */
export class AppointmentServiceImpl extends EntityService<typeof appointmentEntity> implements AppointmentService {
  override async create(ctx: RequestContext, input: EntityInput<typeof appointmentEntity>): Promise<AppointmentRow> {
    const companyId = Number(input.company_id ?? ctx.companyId);
    const start = new Date(String(input.starts_at ?? ''));
    if (!ctx.db.isInTransaction && Number.isFinite(start.getTime()) && Number.isSafeInteger(Number(input.representative_id)) && ctx.companyIds.includes(companyId)) {
      await ensureCountRows(ctx.db, companyId, dayIn(start, await companyTimeZone(ctx.db, companyId)), Number(input.representative_id));
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.create(ctx, input);
      } catch (error) {
        if (!isDeadlock(error) || ctx.db.isInTransaction || attempt >= 5) throw error;
      }
    }
  }

  async book(ctx: RequestContext, input: AppointmentInput): Promise<Appointment> {
    const { confirm_overbook, ...rest } = input;
    return (await this.create(ctx, { ...rest, overbooked: Boolean(confirm_overbook) })) as unknown as Appointment;
  }

  async calendar(ctx: RequestContext, query: { from: string; to: string; representativeId?: number; shopId?: number }): Promise<CalendarDay[]> {
    this.requireRead(ctx);
    return calendarDays(ctx, query);
  }

  async forCustomer(ctx: RequestContext, customerId: number, limit = 20): Promise<Appointment[]> {
    const page = await this.page(ctx, { filters: { customer_id: customerId }, sort: '-starts_at', limit });
    return page.data as unknown as Appointment[];
  }
}

/** What booking adds to the entity's writes: the customer check, the number, the day and its counts. */
export function appointmentHooks(): EntityHooks<AppointmentRow> {
  return {
    async beforeCreate(ctx, values) {
      const companyId = Number(values.company_id); // set by the company scope before any hook runs
      await assertCustomer(ctx, values.customer_id, companyId);
      const day = dayIn(String(values.starts_at), await companyTimeZone(ctx.db, companyId));
      const status = String(values.status ?? 'booked');
      const taken = COUNTED.has(status) ? await takeSlot(ctx, companyId, day, Number(values.representative_id), Boolean(values.overbooked)) : { overbooked: false };
      const number = await ctx.db.nextNumber(NUMBER_SEQUENCE, companyId);
      return { number, day, overbooked: taken.overbooked };
    },
    async beforeUpdate(ctx, changes, before) {
      const companyId = before.company_id;
      if (changes.customer_id !== undefined) await assertCustomer(ctx, changes.customer_id, companyId);
      const after = { ...before, ...changes } as Values;
      if (new Date(String(after.ends_at)) <= new Date(String(after.starts_at))) throw new ValidationError({ ends_at: 'must be after the start' });
      const day = dayIn(String(after.starts_at), await companyTimeZone(ctx.db, companyId));
      const wasCounted = COUNTED.has(before.status);
      const isCounted = COUNTED.has(String(after.status));
      const moved = day !== before.day || Number(after.representative_id) !== before.representative_id;
      const extra: Values = { day, overbooked: before.overbooked };
      if (wasCounted && (!isCounted || moved)) await releaseSlot(ctx.db, companyId, String(before.day), before.representative_id);
      if (isCounted && (!wasCounted || moved)) {
        const taken = await takeSlot(ctx, companyId, day, Number(after.representative_id), Boolean(changes.overbooked));
        extra.overbooked = taken.overbooked;
      }
      return extra;
    },
    async afterWrite(ctx, change) {
      if (change.action !== 'create' || !change.row) return;
      const row = change.row;
      await ctx.db.publish(
        MESSAGING_EVENTS.appointmentBooked,
        { appointment_id: row.id, number: Number(row.number), customer_id: row.customer_id, representative_id: row.representative_id, starts_at: String(row.starts_at), day: String(row.day), overbooked: row.overbooked },
        row.company_id,
      );
    },
  };
}
