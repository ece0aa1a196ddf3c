import { expect } from 'chai';
import supertest from 'supertest';
import { seedDemoAtScale } from 'tessera/core';
import { bearer, crmWorld, type CrmWorld } from './crm-fixtures';

/** `tessera demo --scale N`: customers at size on request, findable like any other; twice adds more. */
describe('crm demo data at scale @integration', function () {
  this.timeout(120_000);
  let w: CrmWorld;

  before(async () => {
    w = await crmWorld();
  });

  it('adds N searchable customers spread over recent days, and N more when run again', async () => {
    const count = () => w.t.knex('crm_customers').where({ company_id: w.companyId }).count({ n: '*' }).first().then((r: any) => Number(r.n));
    const before = await count();
    const started = Date.now();
    await seedDemoAtScale(w.t.kernel, 2000, String(w.companyId));
    expect(Date.now() - started).to.be.lessThan(60_000);
    expect(await count()).to.equal(before + 2000);
    await seedDemoAtScale(w.t.kernel, 500, String(w.companyId));
    expect(await count()).to.equal(before + 2500);
    const token = await w.t.token(w.admin.email);
    const one = (await w.t.knex('crm_customers').where({ company_id: w.companyId }).where('code', 'like', 'D%').first()) as { id: number; phone: string };
    const national = '0' + one.phone.slice(3);
    const found = await supertest(w.t.app).get('/api/v1/crm/customers').query({ q: national }).set(bearer(token)).expect(200);
    expect(found.body.data.map((c: any) => c.id)).to.include(Number(one.id));
    const days = await w.t.knex('crm_customers').where({ company_id: w.companyId }).where('code', 'like', 'D%').countDistinct({ n: w.t.knex.raw('substr(cast(created_at as char), 1, 10)') }).first();
    expect(Number((days as any).n)).to.be.greaterThan(30);
  });
});
