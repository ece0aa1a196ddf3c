import { defineModule, ValidationError } from 'tessera/core';
import { CRM_EVENTS } from 'tessera/modules/crm';
import { VISIT_NOTES_PERMISSIONS as PERM } from './api';
import { addNote, latestNotes, notesOnCustomer, removeNotesOf } from './visit-notes';

/**
 * visit_notes, an integrator's module kept outside the repository's modules/ and loaded through
 * TESSERA_MODULES_PATH. It gets what a built-in module gets: a permission, a table, a page, and a panel
 * in crm's customer page (the `crm.customer.panels` slot, which is why it depends on crm).
 */
export default defineModule({
  register(m) {
    m.routes.page({
      method: 'GET',
      path: '/visit-notes',
      permission: PERM.read,
      handler: async (ctx) => ({ view: 'visit_notes/notes', title: 'Visit notes', data: { notes: await latestNotes(ctx) } }),
    });

    m.routes.page({
      method: 'POST',
      path: '/visit-notes',
      permission: PERM.write,
      handler: async (ctx, { body }) => {
        try {
          const { customerId } = await addNote(ctx, body);
          return { redirect: `/crm/customers/${customerId}`, flash: { type: 'success', message: 'Visit note saved.' } };
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const message = Object.entries(error.fields).map(([field, problem]) => `${field} ${problem}`).join('; ');
          return { redirect: `/crm/customers/${Number(body.customer_id) || ''}`, flash: { type: 'error', message: `Visit note not saved: ${message}` } };
        }
      },
    });

    m.views.slot({
      slot: 'crm.customer.panels',
      template: 'visit_notes/customer-panel',
      permission: PERM.read,
      data: async (ctx, page) => {
        const customer = page.customer as { id: number; company_id: number };
        return { visitNotes: await notesOnCustomer(ctx, customer), visitCustomerId: customer.id };
      },
    });

    // The notes of a deleted customer go with it, in crm's transaction; `db` sees only the event's
    // company and records the removal in the audit trail as done by whoever deleted the customer.
    m.events.on(CRM_EVENTS.customerDeleted, async ({ db, event }) => {
      await removeNotesOf(db, event.payload.customer_id);
    });
  },
});
