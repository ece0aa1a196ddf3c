import { expect } from 'chai';
import { startTestApp } from '../../../test/support/harness';

describe('billing demo data @integration', function () {
  this.timeout(120_000);
  it('gives the demo company journals, products, invoices and payments: a statement and a non-empty aged receivables chart', async () => {
    const t = await startTestApp();
    const journals = await t.knex('billing_journals').where({ company_id: t.companyId }).pluck('code');
    expect(journals).to.include.members(['SAL', 'CSH', 'MOMO', 'DSC']);
    const open = await t.knex('billing_documents').where({ company_id: t.companyId, kind: 'invoice', status: 'posted' }).where('residual', '>', 0).count({ n: '*' }).first();
    expect(Number(open?.n)).to.be.greaterThan(0);
    const paid = await t.knex('billing_payments').where({ company_id: t.companyId, status: 'paid' }).count({ n: '*' }).first();
    expect(Number(paid?.n)).to.be.greaterThan(0);
    const overdue = await t.knex('billing_documents').where({ company_id: t.companyId, kind: 'invoice', status: 'posted' }).where('due_date', '<', new Date().toISOString().slice(0, 10)).count({ n: '*' }).first();
    expect(Number(overdue?.n)).to.be.greaterThan(0);
  });
});
