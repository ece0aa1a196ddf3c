import { expect } from 'chai';
import { startTestApp } from 'tessera/testing';
import { MESSAGING, type AppointmentService } from '../api';
import { mondayOf } from '../calendar/calendar-view';
import { addDays } from '../settings';

describe('messaging demo data', () => {
  it('gives the demo company two representatives, a week with one FULL day and payment-received templates', async function () {
    this.timeout(120_000);
    const t = await startTestApp();
    const adminId = Number((await t.knex('core_users').where({ email: t.admin.email }).first()).id);
    const ctx = await t.contextFor(adminId, t.companyId);
    const reps = await t.knex('messaging_representatives').where({ company_id: t.companyId });
    expect(reps).to.have.length(2);
    const monday = mondayOf(new Date().toISOString().slice(0, 10));
    const week = await t.container.get<AppointmentService>(MESSAGING.Appointments).calendar(ctx, { from: monday, to: addDays(monday, 6) });
    expect(week.filter((d) => d.full).map((d) => d.day)).to.deep.equal([addDays(monday, 2)]);
    const templates = await t.knex('messaging_templates').where({ company_id: t.companyId, event: 'billing.payment.posted' }).pluck('channel');
    expect(templates.sort()).to.deep.equal(['email', 'whatsapp']);
  });
});
