import { AppError, HANDLED, instantOfWallTime, type PageResult, type PageRoute, type RedirectResult, type RequestContext } from 'tessera/core';
import { MESSAGING, MESSAGING_PERMISSIONS as P, type AppointmentService } from '../api';
import { companyTimeZone, dayIn } from '../settings';
import { calendarView, type CalendarMode } from './calendar-view';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}$/;

/** The calendar (month, week, day) and its booking form: a FULL day asks for an explicit confirmation. */
export function calendarPageRoutes(): PageRoute[] {
  void HANDLED;
  return [
    {
      method: 'GET',
      path: '/messaging/calendar',
      permission: P.appointmentRead,
      handler: async (ctx, { query }) => page(ctx, query),
    },
    {
      method: 'POST',
      path: '/messaging/calendar/book',
      permission: P.appointmentWrite,
      handler: async (ctx, { body }): Promise<PageResult | RedirectResult> => {
        const form = {
          customer_id: String(body.customer_id ?? '').trim(),
          representative_id: String(body.representative_id ?? '').trim(),
          day: String(body.day ?? '').trim(),
          start: String(body.start ?? '').trim(),
          end: String(body.end ?? '').trim(),
          place: String(body.place ?? '').trim(),
          confirm_overbook: body.confirm_overbook === 'on' || body.confirm_overbook === 'true',
          view: ['month', 'week', 'day'].includes(String(body.view)) ? String(body.view) : 'week',
        };
        const errors: Record<string, string> = {};
        if (!/^\d+$/.test(form.customer_id)) errors.customer_id = 'must be a customer number';
        if (!/^\d+$/.test(form.representative_id)) errors.representative_id = 'pick a representative';
        if (!DAY.test(form.day)) errors.day = 'must be a day';
        if (!TIME.test(form.start)) errors.start = 'must be a time, HH:MM';
        if (!TIME.test(form.end) || form.end <= form.start) errors.end = 'must be a time after the start';
        const again = (problem: { errors: Record<string, string>; message: string; full?: boolean }, status = 422) =>
          page(ctx, { view: form.view, date: form.day || undefined }, { form, ...problem }, status);
        if (Object.keys(errors).length) return again({ errors, message: 'Please correct the fields marked.' });
        const timeZone = await companyTimeZone(ctx.db);
        const startsAt = instantOfWallTime(`${form.day}T${form.start}`, timeZone)!;
        const endsAt = instantOfWallTime(`${form.day}T${form.end}`, timeZone)!;
        try {
          const booked = await ctx.container.get<AppointmentService>(MESSAGING.Appointments).book(ctx, {
            customer_id: Number(form.customer_id),
            representative_id: Number(form.representative_id),
            starts_at: startsAt.toISOString(),
            ends_at: endsAt.toISOString(),
            place: form.place || null,
            confirm_overbook: form.confirm_overbook,
          });
          return {
            redirect: `/messaging/calendar?view=${form.view}&date=${dayIn(startsAt, timeZone)}`,
            flash: { type: 'success', message: `Appointment ${booked.number} booked${booked.overbooked ? ' past FULL' : ''}.` },
          };
        } catch (error) {
          if (!(error instanceof AppError) || ![403, 409, 422].includes(error.status)) throw error;
          const full = error.status === 409 && 'confirm_overbook' in error.fields;
          return again({ errors: error.fields, message: error.message, full }, error.status === 403 ? 403 : full ? 409 : 422);
        }
      },
    },
  ];
}

async function page(ctx: RequestContext, query: Record<string, unknown>, booking?: Record<string, unknown>, status?: number): Promise<PageResult> {
  const timeZone = await companyTimeZone(ctx.db);
  const mode = (['month', 'week', 'day'].includes(String(query.view)) ? String(query.view) : 'month') as CalendarMode;
  const date = DAY.test(String(query.date ?? '')) ? String(query.date) : dayIn(new Date(), timeZone);
  const id = (v: unknown) => (/^\d+$/.test(String(v ?? '')) ? Number(v) : undefined);
  const data = await calendarView(ctx, { mode, date, representativeId: id(query.representative_id), shopId: id(query.shop_id) });
  return { view: 'messaging/calendar', title: 'Calendar', status, data: { ...data, booking: booking ?? { form: { day: data.bookDay, start: '09:00', end: '09:30', view: mode } } } };
}
