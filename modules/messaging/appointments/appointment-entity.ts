import { defineEntity, field, type EntityRow } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P } from '../api';

export const APPOINTMENT_STATUSES = { booked: 'Booked', done: 'Done', cancelled: 'Cancelled', no_show: 'No-show' } as const;

/**
 * An appointment: a customer, a representative, a start and an end, a shop or place. Booking counts it
 * on its day (see day-counts.ts); a cancelled one no longer counts.
 */
export const appointmentEntity = defineEntity({
  name: 'appointment',
  table: 'messaging_appointments',
  label: { one: 'Appointment', many: 'Appointments' },
  description: 'Appointments of representatives with customers; the calendar shows FULL days.',
  permissions: { read: P.appointmentRead, write: P.appointmentWrite, export: P.appointmentRead },
  paths: { api: '/appointments', pages: '/messaging/appointments' },
  title: 'place',
  search: ['place'],
  sorts: ['-starts_at', 'number', 'day'],
  fields: {
    number: field.integer({ label: 'No.', readOnly: true, filter: 'range' }),
    customer_id: field.integer({ label: 'Customer id', required: true, min: 1, filter: { param: 'customer_id' } }),
    representative_id: field.ref('messaging.representative', { label: 'Representative', required: true, filter: true }),
    shop_id: field.ref('base.shop', { label: 'Shop', filter: true }),
    place: field.text({ label: 'Place', maxLength: 191 }),
    starts_at: field.datetime({ label: 'Starts', required: true, filter: 'range' }),
    ends_at: field.datetime({ label: 'Ends', required: true, validate: (value, values) => (values.starts_at && new Date(value) <= new Date(String(values.starts_at)) ? 'must be after the start' : null) }),
    day: field.date({ label: 'Day', readOnly: true, filter: 'range' }),
    status: field.enum({ label: 'Status', values: APPOINTMENT_STATUSES, default: 'booked', filter: true }),
    overbooked: field.boolean({ label: 'Book past FULL', hint: 'Confirm to book a day that is FULL (needs the overbook permission). Stays set on appointments booked past FULL.', default: false }),
    notes: field.text({ label: 'Notes', maxLength: 5000, multiline: true }),
  },
});

export type AppointmentRow = EntityRow<typeof appointmentEntity>;
