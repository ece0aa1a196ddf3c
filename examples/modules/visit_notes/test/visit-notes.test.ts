import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestApp, type TestApp } from 'tessera/testing';
import { VISIT_NOTES_PERMISSIONS } from '../api';

// Run from anywhere with `tessera test <this module's folder>` (see the README's module guide).
describe('visit_notes module', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ modulesPath: [path.resolve(__dirname, '..')] });
  });
  after(() => t.close());

  it("shows a note written on a customer in crm's customer panel", async () => {
    const user = await t.createUser({ permissions: [VISIT_NOTES_PERMISSIONS.write, 'crm.customer.read'] });
    const customer = await t.knex('crm_customers').where({ company_id: t.companyId }).orderBy('id').first();
    const agent = await t.login(user.email, user.password);
    await agent.post('/visit-notes', { customer_id: customer.id, visited_on: '2026-03-02', text: 'Brought samples' }).expect(302);
    const page = await agent.get(`/crm/customers/${customer.id}`).expect(200);
    assert.match(page.text, /visit-notes-panel[\s\S]*Brought samples/);
  });

  it('refuses a note to a user who may only read them', async () => {
    const user = await t.createUser({ permissions: [VISIT_NOTES_PERMISSIONS.read, 'crm.customer.read'] });
    const agent = await t.login(user.email, user.password);
    await agent.post('/visit-notes', { customer_id: 1, text: 'no' }).expect(403);
  });
});
